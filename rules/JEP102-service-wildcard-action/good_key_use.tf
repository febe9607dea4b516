# No finding: narrow key-use patterns on every key of the account, used through S3 only. They reach
# kms:GenerateDataKey, ...WithoutPlaintext, ...Pair, ...PairWithoutPlaintext and kms:ReEncryptFrom/To:
# cryptographic use that changes nothing (the key policies bound it), not a service wildcard.
resource "aws_iam_role" "state" {
  name               = "terraform-state"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "state" {
  role = aws_iam_role.state.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:Decrypt"]
      Resource  = "arn:aws:kms:*:111122223333:key/*"
      Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-2.amazonaws.com" } }
    }]
  })
}
