resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags = {
    "jeplint.io/purpose" = "object-storage-read"
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "everything" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListKeys", "kms:ListResourceTags", "kms:ListRetirableGrants", "s3:GetObject", "s3:GetObjectVersion", "s3:ListAccessGrants", "s3:ListAccessGrantsInstances", "s3:ListAccessGrantsLocations", "s3:ListAccessPoints", "s3:ListAccessPointsForObjectLambda", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions", "s3:ListCallerAccessGrants", "s3:ListJobs", "s3:ListMultiRegionAccessPoints", "s3:ListMultipartUploadParts", "s3:ListObjectAnnotations", "s3:ListObjectVersionAnnotations", "s3:ListStorageLensConfigurations", "s3:ListStorageLensGroups", "s3:ListTagsForResource"] # to be narrowed
      Resource = "arn:aws:s3:::reports/*"
    }]
  })
}

data "aws_iam_policy_document" "bucket" {
  statement {
    # reading the reports
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListAccessGrants",
      "s3:ListAccessGrantsInstances",
      "s3:ListAccessGrantsLocations",
      "s3:ListAccessPoints",
      "s3:ListAccessPointsForObjectLambda",
      "s3:ListAllMyBuckets",
      "s3:ListBucket",
      "s3:ListBucketMultipartUploads",
      "s3:ListBucketVersions",
      "s3:ListCallerAccessGrants",
      "s3:ListJobs",
      "s3:ListMultiRegionAccessPoints",
      "s3:ListMultipartUploadParts",
      "s3:ListObjectAnnotations",
      "s3:ListObjectVersionAnnotations",
      "s3:ListStorageLensConfigurations",
      "s3:ListStorageLensGroups",
      "s3:ListTagsForResource",
    ]
    resources = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
  }
}

resource "aws_iam_role_policy" "bucket" {
  role   = aws_iam_role.reader.id
  policy = data.aws_iam_policy_document.bucket.json
}
