// node verify.mjs <jwks.json path> <token> <issuer>: verifies a keel access token with jose
// against a local JWKS, prints the payload as JSON and exits 0; exits 1 when jose refuses it.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';

const [jwksPath, token, issuer] = process.argv.slice(2);
if (!jwksPath || !token || !issuer) {
  console.error('usage: node verify.mjs <jwks.json path> <token> <issuer>');
  process.exit(2);
}
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksPath, 'utf8')));
try {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer,
    algorithms: ['EdDSA'],
    typ: 'JWT',
    requiredClaims: ['sub', 'sid', 'role', 'iat', 'exp'],
  });
  console.log(JSON.stringify({ header: protectedHeader, payload }));
} catch (e) {
  console.error(`refused: ${e.code ?? e.name}`);
  process.exit(1);
}
