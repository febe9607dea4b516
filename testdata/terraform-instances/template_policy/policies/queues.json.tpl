{
  "Version": "2012-10-17",
  "Statement": [
%{ for arn in queue_arns ~}
    {
      "Effect": "Allow",
      "Action": "sqs:*",
      "Resource": "${arn}"
    }%{ if arn != queue_arns[length(queue_arns) - 1] },%{ endif }
%{ endfor ~}
  ]
}
