package deploy

// memberTemplate is the template the StackSet deploys to every account of
// the targeted OUs (or the whole organization, through its root): a role in
// each member account that the central reader can assume to look at that
// account's CloudTrail configuration (cairn doctor / watch). Log data stays
// in the central bucket, so the member role needs no S3, SQS or KMS access.
const memberTemplate = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "Cairn per-account role: lets the central Cairn reader inspect this account's CloudTrail configuration.",
  "Parameters": {
    "NamePrefix": {"Type": "String", "Default": "cairn"},
    "ReaderPrincipalArn": {"Type": "String", "Description": "ARN of the central Cairn reader (role or user)."}
  },
  "Resources": {
    "AccountReaderRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "RoleName": {"Fn::Sub": "${NamePrefix}-account-reader"},
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": {"Ref": "ReaderPrincipalArn"}},
            "Action": "sts:AssumeRole"
          }]
        },
        "Policies": [{
          "PolicyName": "cairn-trail-status",
          "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
              "Effect": "Allow",
              "Action": ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
              "Resource": "*"
            }]
          }
        }]
      }
    }
  },
  "Outputs": {
    "AccountReaderRoleArn": {"Value": {"Fn::GetAtt": ["AccountReaderRole", "Arn"]}}
  }
}
`
