/**
 * What a test needs to stand in for a registered GitHub App: a private key
 * (made once per test file; 2048-bit RSA takes a while) and Probot's Octokit
 * with its retries and throttling off, so a test sees every request as sent.
 */
import { generateKeyPairSync } from "node:crypto";
import { ProbotOctokit } from "probot";

let key: string | undefined;

export function appPrivateKey(): string {
  key ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return key;
}

/** The function form is the one that really turns throttling off (see TOOLCHAIN.md); `retry: true` keeps plugin-retry. */
export function quietOctokit(options: { retry?: boolean } = {}) {
  return ProbotOctokit.defaults((o: { throttle?: object }) => ({ ...o, retry: { enabled: options.retry ?? false }, throttle: { ...o.throttle, enabled: false } }));
}
