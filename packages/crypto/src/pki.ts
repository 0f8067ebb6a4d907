// Certificate authority, certificates and CSRs for tenant clusters (ECDSA P-256, SHA-256).
// Keys are exported as PKCS#8 PEM ("PRIVATE KEY"), which Node's TLS and kubectl both accept.
import "./reflect-polyfill.ts";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const KEY_ALG: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const SIGN_ALG: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
const DAY_MS = 86_400_000;
/** Certificates are valid from a little before "now" so small clock skews do not reject them. */
const BACKDATE_MS = 5 * 60_000;

export type CertUsage = "server" | "client" | "both";

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  serialNumber: string;
  notAfter: Date;
}

export interface CertificateSubject {
  commonName: string;
  organizations: string[];
}

export interface CertificateInfo extends CertificateSubject {
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  issuer: string;
  dnsNames: string[];
  ipAddresses: string[];
  isCA: boolean;
}

export class PkiError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "PkiError";
  }
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(KEY_ALG, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKeyPem(pem: string, field: string): Promise<CryptoKey> {
  let der: ArrayBuffer;
  try {
    const blocks = x509.PemConverter.decodeWithHeaders(pem);
    const block = blocks.find((b) => b.type === "PRIVATE KEY");
    if (!block) throw new Error("no PKCS#8 block");
    der = block.rawData;
  } catch {
    throw new PkiError(field, `${field} is not a PKCS#8 PEM private key`);
  }
  try {
    return await crypto.subtle.importKey("pkcs8", der, KEY_ALG, true, ["sign"]);
  } catch {
    throw new PkiError(field, `${field} is not an ECDSA P-256 private key`);
  }
}

function parseCert(pem: string, field: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw new PkiError(field, `${field} is not a PEM certificate`);
  }
}

/** A random positive 128-bit serial, as lower-case hex. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString("hex");
}

function subjectName(commonName: string, organizations: string[] = []): x509.JsonName {
  if (!commonName) throw new PkiError("commonName", "commonName is required");
  const name: x509.JsonName = [];
  for (const o of organizations) name.push({ O: [o] });
  name.push({ CN: [commonName] });
  return name;
}

function usageExtensions(usage: CertUsage): x509.Extension[] {
  const eku: string[] = [];
  if (usage === "server" || usage === "both") eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (usage === "client" || usage === "both") eku.push(x509.ExtendedKeyUsage.clientAuth);
  if (eku.length === 0) throw new PkiError("usage", 'usage must be "server", "client" or "both"');
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku, false),
  ];
}

function validityWindow(validityMs: number, field: string): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(validityMs) || validityMs <= 0) throw new PkiError(field, `${field} must be a positive number`);
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + validityMs) };
}

export async function createCA(opts: { commonName: string; validityDays?: number }): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const { notBefore, notAfter } = validityWindow((opts.validityDays ?? 3650) * DAY_MS, "validityDays");
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(opts.commonName),
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await exportKeyPem(keys.privateKey) };
}

interface SignParams {
  ca: CertificateAuthority;
  publicKey: x509.PublicKey | CryptoKey;
  subject: x509.JsonName | x509.Name;
  extensions: x509.Extension[];
  validityMs: number;
}

async function signWithCa(p: SignParams): Promise<x509.X509Certificate> {
  const caCert = parseCert(p.ca.certPem, "ca.certPem");
  const caKey = await importKeyPem(p.ca.keyPem, "ca.keyPem");
  const { notBefore, notAfter } = validityWindow(p.validityMs, "validityMs");
  // Never outlive the CA: clients would reject the chain anyway.
  const capped = new Date(Math.min(notAfter.getTime(), caCert.notAfter.getTime()));
  const caPublic = await caCert.publicKey.export(crypto);
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: p.subject,
    issuer: caCert.subjectName,
    notBefore,
    notAfter: capped,
    publicKey: p.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      ...p.extensions,
      await x509.AuthorityKeyIdentifierExtension.create(caPublic),
      await x509.SubjectKeyIdentifierExtension.create(
        p.publicKey instanceof x509.PublicKey ? await p.publicKey.export(crypto) : p.publicKey,
      ),
    ],
  });
}

export async function issueCertificate(opts: {
  ca: CertificateAuthority;
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertUsage;
  validityMs: number;
}): Promise<IssuedCertificate> {
  const keys = await generateKeys();
  const extensions = usageExtensions(opts.usage);
  const names: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await signWithCa({
    ca: opts.ca,
    publicKey: keys.publicKey,
    subject: subjectName(opts.commonName, opts.organizations),
    extensions,
    validityMs: opts.validityMs,
  });
  return {
    certPem: cert.toString("pem"),
    keyPem: await exportKeyPem(keys.privateKey),
    serialNumber: cert.serialNumber.toLowerCase(),
    notAfter: cert.notAfter,
  };
}

export async function createCsr(opts: {
  commonName: string;
  organizations?: string[];
}): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await generateKeys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(opts.commonName, opts.organizations),
    keys,
    signingAlgorithm: SIGN_ALG,
  });
  return { csrPem: csr.toString("pem"), keyPem: await exportKeyPem(keys.privateKey) };
}

function subjectOf(name: x509.Name): CertificateSubject {
  let commonName = "";
  const organizations: string[] = [];
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      if (type === "CN") commonName = values[0] ?? commonName;
      if (type === "O") organizations.push(...values);
    }
  }
  return { commonName, organizations };
}

/** Reads a CSR's subject after checking its self-signature (proof the requester holds the key). */
export async function parseCsr(csrPem: string): Promise<CertificateSubject> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new PkiError("csrPem", "csrPem is not a PEM certificate request");
  }
  if (!(await csr.verify(crypto))) throw new PkiError("csrPem", "csrPem has an invalid signature");
  return subjectOf(csr.subjectName);
}

export async function signCsr(opts: {
  ca: CertificateAuthority;
  csrPem: string;
  usage: CertUsage;
  validityMs: number;
}): Promise<{ certPem: string; serialNumber: string; notAfter: Date; subject: CertificateSubject }> {
  const subject = await parseCsr(opts.csrPem);
  const csr = new x509.Pkcs10CertificateRequest(opts.csrPem);
  const cert = await signWithCa({
    ca: opts.ca,
    publicKey: csr.publicKey,
    subject: csr.subjectName,
    extensions: usageExtensions(opts.usage),
    validityMs: opts.validityMs,
  });
  return {
    certPem: cert.toString("pem"),
    serialNumber: cert.serialNumber.toLowerCase(),
    notAfter: cert.notAfter,
    subject,
  };
}

/** Fields of a certificate (no verification). */
export function inspectCertificate(certPem: string): CertificateInfo {
  const cert = parseCert(certPem, "certPem");
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.toJSON() ?? [];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    ...subjectOf(cert.subjectName),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    issuer: cert.issuer,
    dnsNames: names.filter((n) => n.type === "dns").map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === "ip").map((n) => n.value),
    isCA: bc?.ca ?? false,
  };
}

/** True when certPem was signed by caCertPem's key and is inside its validity window. */
export async function verifyCertificate(certPem: string, caCertPem: string, at: Date = new Date()): Promise<boolean> {
  const cert = parseCert(certPem, "certPem");
  const ca = parseCert(caCertPem, "caCertPem");
  if (cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, date: at }, crypto);
}
