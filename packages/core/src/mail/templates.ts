import { coreEnv } from "../env.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

function link(path: string): string {
  return new URL(path, coreEnv().NUAGE_URL).toString();
}

export function verifyEmailMail(to: string, name: string, token: string): MailMessage {
  return {
    to,
    subject: "Verify your e-mail address for Nuage",
    text: `Hello ${name},\n\nConfirm your e-mail address by opening this link (valid for 48 hours):\n\n${link(`/verify-email?token=${encodeURIComponent(token)}`)}\n\nIf you did not sign up for Nuage, ignore this message.\n`,
  };
}

export function resetPasswordMail(to: string, name: string, token: string): MailMessage {
  return {
    to,
    subject: "Reset your Nuage password",
    text: `Hello ${name},\n\nSomeone asked to reset the password of this Nuage account. Choose a new one here (valid for 1 hour):\n\n${link(`/reset-password?token=${encodeURIComponent(token)}`)}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
  };
}

export function invitationMail(
  to: string,
  orgName: string,
  inviterName: string,
  role: string,
  token: string,
): MailMessage {
  return {
    to,
    subject: `You are invited to join ${orgName} on Nuage`,
    text: `${inviterName} invited you to join the organization "${orgName}" on Nuage as ${role}.\n\nAccept the invitation (valid for 7 days):\n\n${link(`/invite/${encodeURIComponent(token)}`)}\n`,
  };
}
