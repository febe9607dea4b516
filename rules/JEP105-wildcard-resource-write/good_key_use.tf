# No finding: the cryptographic use of keys on every key (the Terraform state bucket's encryption).
# The catalogue lists kms:Encrypt and kms:GenerateDataKey* as writes, but they change nothing; each
# key's own key policy decides whether this role may use it.
resource "aws_iam_role" "state" {
  name               = "terraform-state"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "state" {
  role = aws_iam_role.state.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      Resource = "*"
    }]
  })
}
