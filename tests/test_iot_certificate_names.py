"""An IoT certificate given by a variable or a template parameter is named by the expression that
gives it, and says that its ARN is known only at apply (deploy), not as a made-up 'certificate'."""

from __future__ import annotations

from pathlib import Path

from jeplint.run import scan


def test_terraform_variable_certificate(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "certificate_arn" {}\n\n'
        'resource "aws_iot_policy" "device" {\n  name = "device"\n'
        '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iot:Publish", '
        'Resource = "arn:aws:iot:eu-west-1:123456789012:topic/t" }] })\n}\n\n'
        'resource "aws_iot_policy_attachment" "device" {\n  policy = aws_iot_policy.device.name\n'
        "  target = var.certificate_arn\n}\n"
    )
    (cert,) = [i for i in scan([str(tmp_path)]).graph.identities if i.kind == "iot-certificate"]
    assert cert.label == "IoT certificate var.certificate_arn (its ARN is known only at apply)"


def test_cloudformation_parameter_certificate(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  CertificateArn: {Type: String}\nResources:\n  Policy:\n    Type: AWS::IoT::Policy\n"
        "    Properties:\n      PolicyDocument:\n        Statement:\n          - {Effect: Allow, Action: iot:Publish, "
        'Resource: "arn:aws:iot:eu-west-1:123456789012:topic/t"}\n'
        "  Attach:\n    Type: AWS::IoT::PolicyPrincipalAttachment\n    Properties:\n      PolicyName: !Ref Policy\n"
        "      Principal: !Ref CertificateArn\n"
    )
    (cert,) = [i for i in scan([str(tmp_path)]).graph.identities if i.kind == "iot-certificate"]
    assert cert.label == "IoT certificate Ref CertificateArn (its ARN is known only at deploy)"
