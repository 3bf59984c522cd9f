/**
 * Who may be shown an article. `audience` in front matter is a comma-separated list of audience
 * names (groups, roles: "it-staff, VPN admins"); an article without one, or whose list names a
 * public audience, is for everyone. A viewer's audiences come from what the channel verified
 * (UserRef.groups); a viewer with none sees public articles only.
 */

/** Names that mean "every employee" (all-staff is what the shipped articles use). */
const PUBLIC_AUDIENCES = new Set(['all', 'all-staff', 'everyone', 'employees', 'public']);

function normalise(name: string): string {
  return name.trim().toLowerCase();
}

export function audienceNames(audience: string | undefined): string[] {
  return (audience ?? '').split(',').map(normalise).filter(Boolean);
}

export function isPublicAudience(audience: string | undefined): boolean {
  const names = audienceNames(audience);
  return names.length === 0 || names.some((n) => PUBLIC_AUDIENCES.has(n));
}

export function visibleTo(audience: string | undefined, viewer: readonly string[] | undefined): boolean {
  if (isPublicAudience(audience)) return true;
  const mine = new Set((viewer ?? []).map(normalise));
  return audienceNames(audience).some((n) => mine.has(n));
}
