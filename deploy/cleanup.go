package deploy

// cleanupCode is the bucket-cleanup custom resource (CloudFormation only;
// Terraform uses force_destroy on the bucket it owns). On Delete it empties
// the one bucket named in its environment, refusing any other name it is
// handed, and always answers CloudFormation so the stack never hangs. Its
// role can list and delete in that bucket only.
const cleanupCode = `import os
import boto3
import cfnresponse


def handler(event, context):
    status, reason = cfnresponse.SUCCESS, None
    try:
        bucket = event["ResourceProperties"]["BucketName"]
        if bucket != os.environ["BUCKET"]:
            raise ValueError("refusing to empty %s: this function owns %s" % (bucket, os.environ["BUCKET"]))
        if event["RequestType"] == "Delete":
            b = boto3.resource("s3").Bucket(bucket)
            b.object_versions.delete()
            b.objects.all().delete()
    except Exception as e:  # report, never hang the stack
        status, reason = cfnresponse.FAILED, str(e)
        print(reason)
    cfnresponse.send(event, context, status, {}, event.get("PhysicalResourceId", "bucket-cleanup"), reason=reason)
`
