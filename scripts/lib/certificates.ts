// Throwaway TLS certificates for tests and the deploy check, made with openssl: a private CA and, signed by it, a good, an expiring, an expired and a self-signed server certificate.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

export interface TestCertificates {
  /** The CA's certificate (PEM file): what a client must trust (--ca, NODE_EXTRA_CA_CERTS). */
  caFile: string;
  ca: string;
  /** Valid 90 days for the hosts. */
  good: KeyPair;
  /** Valid 5 days: inside the doctor's 14-day margin. */
  expiring: KeyPair;
  /** Expired yesterday. */
  expired: KeyPair;
  /** Self-signed, by no CA anyone trusts. */
  selfSigned: KeyPair;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is openssl installed? apt-get install openssl): ${stderr || (err as Error).message}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes the certificates in `dir` for `hosts` (IP addresses and DNS names). About 100 ms. */
export function makeCertificates(dir: string, hosts: string[] = ['127.0.0.1', 'localhost']): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const san = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
  fs.writeFileSync(path.join(dir, 'server.ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '365', '-subj', '/O=Throwaway test CA/CN=Throwaway test CA'], dir);
  const signed = (name: string, days: string): KeyPair => {
    openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${hosts[0]}`], dir);
    // A negative -days backdates the end (OpenSSL 3 takes it): the certificate is already expired.
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', days, '-extfile', 'server.ext'], dir);
    return pair(dir, name);
  };
  const good = signed('good', '90');
  const expiring = signed('expiring', '5');
  const expired = signed('expired', '-1');
  openssl(['req', '-x509', ...EC, '-keyout', 'self-signed.key', '-out', 'self-signed.pem', '-days', '90', '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${san}`], dir);
  const caFile = path.join(dir, 'ca.pem');
  return { caFile, ca: fs.readFileSync(caFile, 'utf8'), good, expiring, expired, selfSigned: pair(dir, 'self-signed') };
}

function pair(dir: string, name: string): KeyPair {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  return { keyFile, certFile, key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
}
