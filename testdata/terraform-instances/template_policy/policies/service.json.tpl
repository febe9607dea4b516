{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Data",
      "Effect": "Allow",
      "Action": ["${service}:*"],
      "Resource": ["arn:aws:${service}:::${bucket}", "arn:aws:${service}:::${bucket}/*"]
    },
    {
      "Sid": "Key",
      "Effect": "Allow",
      "Action": "kms:Decrypt",
      "Resource": "${key_arn}"
    }
  ]
}
