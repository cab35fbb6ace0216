// Package deploy generates the AWS wiring Cairn reads from: CloudFormation
// (YAML) and Terraform (HCL) for a CloudTrail trail, its bucket, key, topic,
// queue and the reader principal.
//
// Options are checked and turned into a plan: the set of resources and the
// IAM/KMS/S3/SNS/SQS policy documents, written once in a neutral form
// (value.go) in which ARNs are strings with ${Token} placeholders. The two
// renderers (cfn.go, tf.go) map each token to the target's own expression
// (${AWS::Partition} / data.aws_partition.current.partition, !GetAtt / a
// resource attribute), so every ARN is built from the partition and the two
// outputs describe the same resources. Output is deterministic: ordered
// keys, no maps iterated, no clock.
package deploy
