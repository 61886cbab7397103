"""amishare LocalStack extension: EC2/KMS/IAM/STS faithful to AWS for encrypted AMI sharing."""
