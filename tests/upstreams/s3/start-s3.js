#!/usr/bin/env node
// start-s3.js -- run @20minutes/s3rver (a local S3 that verifies SigV4)
// for signalroom's tests and demo.  See README.md beside this file.
//
//   node --openssl-legacy-provider start-s3.js DIR PORT [ACCESS_KEY SECRET_KEY] [BUCKET...]
//
// DIR      data directory (created if missing; objects survive a restart)
// PORT     TCP port on 127.0.0.1; 0 picks a free one
// ACCESS_KEY SECRET_KEY
//          one extra key pair; s3rver's own S3RVER:S3RVER stays valid
// BUCKET   buckets to create (empty) if they do not exist yet
//
// stdout: exactly one line, {"port": N}, as soon as the server listens.
// stderr: s3rver's request log.  SIGTERM / SIGINT: close, exit 0.
// Exit 2: bad arguments, no DES (flag missing) or cannot listen.
'use strict';

const crypto = require('crypto');
const fs = require('fs');

function fail(msg) {
  process.stderr.write(`start-s3: ${msg}\n`);
  process.exit(2);
}

const [dir, portText, accessKey, secretKey, ...buckets] = process.argv.slice(2);

if (!dir || portText === undefined) {
  fail('usage: node --openssl-legacy-provider start-s3.js DIR PORT '
       + '[ACCESS_KEY SECRET_KEY] [BUCKET...]');
}
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`bad port "${portText}"`);
}
if ((accessKey === undefined) !== (secretKey === undefined)
    || accessKey === '' || secretKey === '') {
  fail('ACCESS_KEY and SECRET_KEY go together and must not be empty');
}

// s3rver encrypts ListObjectsV2 continuation tokens with DES.  OpenSSL 3
// (Node >= 17) only offers DES through its legacy provider, so without
// --openssl-legacy-provider every truncated listing would be a 500.  Fail
// now, loudly, instead.
try {
  const c = crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  c.update('probe');
  c.final();
} catch (err) {
  fail('DES is unavailable (' + err.code + '): run node with '
       + '--openssl-legacy-provider (ListObjectsV2 pagination needs it)');
}

let S3rver;
let Account;
try {
  S3rver = require('@20minutes/s3rver');
  Account = require('@20minutes/s3rver/lib/models/account');
} catch (err) {
  fail('@20minutes/s3rver is not installed: run `npm ci` in ' + __dirname);
}

try {
  fs.mkdirSync(dir, { recursive: true });
} catch (err) {
  fail(`cannot create ${dir}: ${err.message}`);
}

if (accessKey !== undefined) {
  Account.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
}

const server = new S3rver({
  address: '127.0.0.1',
  port,
  directory: dir,
  silent: false,
  vhostBuckets: false, // path-style only: http://127.0.0.1:PORT/bucket/key
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});

// s3rver logs through winston's Console transport, which writes to
// stdout; stdout carries only the port line, so move every level to stderr.
for (const t of server.logger.transports) {
  t.stderrLevels = { error: true, warn: true, info: true, debug: true };
}

let stopping = false;

function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  if (!server.httpServer) {
    process.exit(0);
  }
  // close() waits for open connections; drop the idle and busy ones.
  server.close().then(() => process.exit(0), () => process.exit(0));
  server.httpServer.closeAllConnections();
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.run().then(
  (addr) => {
    // Writes to a pipe are synchronous on Linux: the line is out at once.
    process.stdout.write(`{"port": ${addr.port}}\n`);
  },
  (err) => fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`),
);
