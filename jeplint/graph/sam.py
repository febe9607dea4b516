"""AWS SAM policy templates (`Policies: [{S3ReadPolicy: {BucketName: b}}]`) -> IAM statements.

The statements are those AWS SAM documents for each template (AWS SAM Developer Guide, "AWS SAM
policy templates"; source of truth: aws-sam-translator's policy_templates.json). Only the most used
templates are written out; any other template name is kept as an unresolved policy that says so.
Parameters are substituted into the resource ARNs; an unknown parameter stays a `${...}` placeholder.
"""

from __future__ import annotations

_BUCKET = ["arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"]
_TABLE = [
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*",
]
_QUEUE = ["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"]
_TOPIC = ["arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}"]
_FUNCTION = ["arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*"]

# template -> [(actions, resources)]
TEMPLATES: dict[str, list[tuple[list[str], list[str]]]] = {
    "S3ReadPolicy": [
        (
            ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"],
            _BUCKET,
        )
    ],
    "S3WritePolicy": [(["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"], _BUCKET)],
    "S3CrudPolicy": [
        (
            [
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            _BUCKET,
        )
    ],
    "S3FullAccessPolicy": [
        (
            [
                "s3:GetObject",
                "s3:GetObjectAcl",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:DeleteObject",
                "s3:DeleteObjectTagging",
                "s3:DeleteObjectVersionTagging",
                "s3:GetObjectTagging",
                "s3:GetObjectVersionTagging",
                "s3:PutObjectTagging",
                "s3:PutObjectVersionTagging",
            ],
            _BUCKET[1:],
        ),
        (["s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"], _BUCKET[:1]),
    ],
    "DynamoDBReadPolicy": [
        (["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"], _TABLE)
    ],
    "DynamoDBWritePolicy": [(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"], _TABLE)],
    "DynamoDBCrudPolicy": [
        (
            [
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            _TABLE,
        )
    ],
    "SQSPollerPolicy": [
        (
            [
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            _QUEUE,
        )
    ],
    "SQSSendMessagePolicy": [(["sqs:SendMessage*"], _QUEUE)],
    "SNSPublishMessagePolicy": [(["sns:Publish"], _TOPIC)],
    "LambdaInvokePolicy": [(["lambda:InvokeFunction"], _FUNCTION)],
    "KMSDecryptPolicy": [(["kms:Decrypt"], ["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"])],
    "SSMParameterReadPolicy": [
        (["ssm:DescribeParameters"], ["*"]),
        (
            ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"],
            ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${ParameterName}"],
        ),
    ],
    "AWSSecretsManagerGetSecretValuePolicy": [(["secretsmanager:GetSecretValue"], ["${SecretArn}"])],
    "CloudWatchPutMetricPolicy": [(["cloudwatch:PutMetricData"], ["*"])],
    "EventBridgePutEventsPolicy": [
        (["events:PutEvents"], ["arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}"])
    ],
    "StepFunctionsExecutionPolicy": [
        (
            ["states:StartExecution"],
            ["arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${StateMachineName}"],
        )
    ],
    "VPCAccessPolicy": [
        (
            [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DetachNetworkInterface",
            ],
            ["*"],
        )
    ],
}
