/**
 * A throwaway certificate authority and server certificate for the test bed's HTTPS endpoints.
 * kubectl only sends a bearer token over TLS, and Go rejects certificates without a SAN, so the
 * server certificate names IP:127.0.0.1 and DNS:localhost. Node cannot mint X.509 certificates, so
 * this uses the openssl CLI.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TlsMaterial {
  /** PEM of the CA certificate: what a kubeconfig's certificate-authority-data carries (base64). */
  caPem: string
  /** PEM of the server certificate, signed by the CA. */
  certPem: string
  /** PEM of the server's private key. */
  keyPem: string
}

/** Creates a fresh CA and a server certificate for 127.0.0.1 and localhost, valid for two days. */
export function generateTls(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'testbed-tls-'))
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  }
  try {
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    openssl(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=testbed-ca'
    )
    openssl(
      'req',
      '-new',
      ...ecKey,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=testbed-kube-apiserver'
    )
    writeFileSync(
      join(dir, 'ext.cnf'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
    )
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf'
    )
    return {
      caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      certPem: readFileSync(join(dir, 'server.crt'), 'utf8'),
      keyPem: readFileSync(join(dir, 'server.key'), 'utf8')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
