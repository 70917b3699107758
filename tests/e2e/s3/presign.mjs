// Prints "URL <url>": the URL that the AWS SDK's presigner makes for one object request, so that a test can
// compare keel's own presigned URL with it. Arguments: a JSON object
// {method, endpoint, bucket, key, region, accessKeyId, secretAccessKey, date (ISO), expires,
//  contentType?, contentLength?, forcePathStyle}.
import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const a = JSON.parse(process.argv[2]);
const client = new S3Client({
  endpoint: a.endpoint,
  region: a.region,
  forcePathStyle: a.forcePathStyle,
  credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  // No CRC32 checksum parameters: keel's presigned URLs carry none either.
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
});
const input = { Bucket: a.bucket, Key: a.key };
if (a.contentType) input.ContentType = a.contentType;
if (a.contentLength !== undefined) input.ContentLength = a.contentLength;
const command = a.method === "PUT" ? new PutObjectCommand(input) : new GetObjectCommand(input);
const options = { expiresIn: a.expires, signingDate: new Date(a.date) };
// Sign Content-Type and Content-Length as headers (the storage then refuses any other body),
// rather than leaving them out of the signature.
if (a.method === "PUT") options.signableHeaders = new Set(["content-type", "content-length"]);
console.log("URL " + (await getSignedUrl(client, command, options)));
