export {
  masterKeyFrom,
  masterKeyId,
  newDataKey,
  openValue,
  rewrapDataKey,
  sealValue,
  unwrapDataKey,
  wrapDataKey,
  wrappedKeyId,
} from "./datakeys.ts";
export { createEnvelope, type Envelope, EnvelopeError } from "./envelope.ts";
export { type KubeconfigOptions, renderKubeconfig } from "./kubeconfig.ts";
export {
  type CertificateAuthority,
  type CertificateInfo,
  type CertificateSubject,
  type CertUsage,
  createCA,
  createCsr,
  type IssuedCertificate,
  inspectCertificate,
  issueCertificate,
  PkiError,
  parseCsr,
  signCsr,
  verifyCertificate,
} from "./pki.ts";
