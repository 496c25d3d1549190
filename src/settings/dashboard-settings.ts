/**
 * The dashboard's "Sign in with GitHub": the App's OAuth credentials, which
 * Probot's registration writes, and the App whose installations a person is shown.
 */
import { z } from "zod";

export interface DashboardSettings {
  clientId: string;
  clientSecret: string;
  appId: number | undefined;
}

export const dashboardVariables = {
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  APP_ID: z.string().optional(),
};

/** undefined: sign-in is off (an id or a secret is missing). */
export function readDashboard(clientId: string | undefined, clientSecret: string | undefined, appId: string | undefined): DashboardSettings | undefined {
  const id = clientId?.trim() ?? "";
  const secret = clientSecret?.trim() ?? "";
  if (id === "" || secret === "") return undefined;
  return { clientId: id, clientSecret: secret, appId: /^\s*\d+\s*$/.test(appId ?? "") ? Number(appId) : undefined };
}
