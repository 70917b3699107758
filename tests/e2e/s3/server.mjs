// A throwaway S3-compatible server for the tests: @20minutes/s3rver, which verifies SigV4 on
// signed requests and presigned URLs, on 127.0.0.1:<port> with one bucket, keeping objects
// under <directory>. Access key and secret are s3rver's built-in pair, S3RVER / S3RVER.
// Usage: node server.mjs <port> <directory> <bucket>; port 0 takes any free port, and the line
// "s3rver listening on 127.0.0.1:<port>" says which.
import S3rver from "@20minutes/s3rver";

const [port, directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: [{ name: bucket, configs: [] }],
});
const { port: bound } = await server.run();
console.log(`s3rver listening on 127.0.0.1:${bound}, bucket ${bucket}`);
const stop = () => server.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
