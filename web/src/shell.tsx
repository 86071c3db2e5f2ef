// The frame around every page: header, navigation (only pages that exist, and admin pages only
// for someone who may use them), and the page for the current path.
import { Alert, Button, Center, NavLink, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, plainWords } from './api';
import { completeSignIn, SIGNED_OUT, signOut } from './auth';
import { DIRECTORY, getMe, type Me } from './graph';
import { useLoad } from './load';
import { AccessReviewsPage } from './pages/access-reviews';
import { AdminRolePage } from './pages/admin-role';
import { AdminRolesPage } from './pages/admin-roles';
import { ApprovalsPage } from './pages/approvals';
import { ALERTS, AlertsPage, TENANT_SCOPE } from './pages/alerts';
import { AuditPage } from './pages/audit';
import { BREAK_GLASS, BreakGlassPage } from './pages/break-glass';
import { ChannelsPage, NOTIFICATIONS } from './pages/channels';
import { CONNECTORS, ConnectorsPage } from './pages/connectors';
import { GroupsPage } from './pages/groups';
import { CompliancePage } from './pages/compliance';
import { DirectoryPage, USERS } from './pages/directory';
import { MyRequestsPage } from './pages/my-requests';
import { MyRolesPage } from './pages/my-roles';
import { ResourcesPage, SCOPES } from './pages/resources';
import { PAGES } from './routes';
import { Link, match, navigate, usePath } from './router';
import { Loading } from './states';

/** What a page needs the signed-in user to be allowed now; a page without one is for everyone. */
type Right =
  | 'admin'
  | 'directory'
  | 'audit'
  | 'alerts'
  | 'groups'
  | 'resources'
  | 'channels'
  | 'connectors'
  | 'breakGlass';

interface NavItem {
  href: string;
  label: string;
  /** Shown only to those who may use the page now (one small probe call each). */
  needs?: Right;
}

const NAV: NavItem[] = [
  { href: PAGES.roles, label: 'My roles' },
  { href: PAGES.requests, label: 'My requests' },
  { href: PAGES.approvals, label: 'Approvals' },
  { href: PAGES.reviews, label: 'Access reviews' },
  { href: PAGES.adminRoles, label: 'Admin — Roles', needs: 'admin' },
  { href: PAGES.directory, label: 'Admin — Directory', needs: 'directory' },
  { href: PAGES.groups, label: 'Groups', needs: 'groups' },
  { href: PAGES.resources, label: 'Resources', needs: 'resources' },
  { href: PAGES.audit, label: 'Audit', needs: 'audit' },
  { href: PAGES.compliance, label: 'Compliance report', needs: 'audit' },
  { href: PAGES.alerts, label: 'Alerts', needs: 'alerts' },
  { href: PAGES.breakGlass, label: 'Break-glass accounts', needs: 'breakGlass' },
  { href: PAGES.channels, label: 'Notification channels', needs: 'channels' },
  { href: PAGES.connectors, label: 'Connectors', needs: 'connectors' },
];

/** The callback page: redeems the code, then goes where the sign-in started. */
function Callback() {
  const [error, setError] = useState<string>();
  const params = new URLSearchParams(window.location.search);
  const signedOut = params.get('state') === SIGNED_OUT && !params.has('code');
  useEffect(() => {
    if (signedOut) return;
    completeSignIn(window.location.search).then(
      (to) => navigate(to === PAGES.callback ? PAGES.roles : to, true),
      (err: unknown) => setError(plainWords(err)),
    );
  }, [signedOut]);
  if (signedOut) {
    return (
      <Center mih="60vh">
        <Alert color="gray" title="You are signed out" role="status">
          <Text mb="sm">Your session with Elevate has ended in this browser.</Text>
          <Button component="a" href={PAGES.roles}>
            Sign in
          </Button>
        </Alert>
      </Center>
    );
  }
  if (error === undefined) return <Loading what="Signing you in" />;
  return (
    <Center mih="60vh">
      <Alert color="red" title="Sign-in did not complete" role="alert">
        <Text mb="sm">{error}</Text>
        <Button component="a" href={PAGES.roles}>
          Sign in again
        </Button>
      </Alert>
    </Center>
  );
}

/** One read each page makes, at its smallest: whether it succeeds says whether the page is offered. */
const PROBES: Record<Right, string> = {
  admin: `${DIRECTORY}/roleDefinitions?$top=1&$select=id`,
  directory: `${USERS}?$top=1&$select=id`,
  audit: '/v1.0/auditLogs/directoryAudits?$top=1&$select=id',
  alerts: `${ALERTS}?${TENANT_SCOPE}`,
  // PIM for Groups lists answer everyone (with their own holdings only), so the probe is reading the
  // directory's groups, which takes nearly the same roles.
  groups: '/v1.0/groups?$top=1&$select=id',
  resources: `${SCOPES}?$top=1`,
  channels: `${NOTIFICATIONS}/webhooks`,
  connectors: CONNECTORS,
  breakGlass: BREAK_GLASS,
};

/** The rights the signed-in user has now, probed in parallel (a refusal is simply "no"). */
async function probeRights(): Promise<Set<Right>> {
  const entries = Object.entries(PROBES) as [Right, string][];
  const allowed = await Promise.all(
    entries.map(([right, path]) =>
      api('GET', path).then(
        () => right,
        () => undefined,
      ),
    ),
  );
  return new Set(allowed.filter((r): r is Right => r !== undefined));
}

export function Shell() {
  const path = usePath();
  if (match(PAGES.callback, path)) return <Callback />;
  return <SignedIn path={path} />;
}

function SignedIn({ path }: { path: string }) {
  const me = useLoad(getMe, []);
  const [rights, setRights] = useState(0);
  const allowed = useLoad(probeRights, [rights]);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  useEffect(() => {
    if (path === PAGES.home) navigate(PAGES.roles, true);
  }, [path]);

  if (me.error) {
    return (
      <Center mih="60vh">
        <Alert color="red" title="Elevate could not load your profile" role="alert">
          {plainWords(me.error)}
        </Alert>
      </Center>
    );
  }
  if (!me.data) return <Loading what="Loading your profile" />;
  const user: Me = me.data;
  const may = (right: Right | undefined) => right === undefined || allowed.data?.has(right) === true;
  const onRolesChanged = () => setRights((n) => n + 1);

  const role = match(PAGES.adminRole, path);
  let page;
  if (match(PAGES.roles, path)) page = <MyRolesPage me={user} onChanged={onRolesChanged} />;
  else if (match(PAGES.requests, path)) page = <MyRequestsPage me={user} />;
  else if (match(PAGES.approvals, path)) page = <ApprovalsPage />;
  else if (match(PAGES.adminRoles, path)) page = <AdminRolesPage />;
  else if (role?.roleId) page = <AdminRolePage roleId={role.roleId} />;
  else if (match(PAGES.audit, path)) page = <AuditPage />;
  else if (match(PAGES.compliance, path)) page = <CompliancePage />;
  else if (match(PAGES.alerts, path)) page = <AlertsPage />;
  else if (match(PAGES.directory, path)) page = <DirectoryPage />;
  else if (match(PAGES.reviews, path)) page = <AccessReviewsPage />;
  else if (match(PAGES.groups, path)) page = <GroupsPage />;
  else if (match(PAGES.resources, path)) page = <ResourcesPage />;
  else if (match(PAGES.channels, path)) page = <ChannelsPage />;
  else if (match(PAGES.connectors, path)) page = <ConnectorsPage />;
  else if (match(PAGES.breakGlass, path)) page = <BreakGlassPage />;
  else page = <Loading what="Opening My roles" />;

  return (
    <>
      <header className="elevate-header">
        <Button
          className="elevate-menu-button"
          variant="default"
          size="xs"
          aria-expanded={menuOpen}
          aria-controls="elevate-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </Button>
        <Title order={1} size="h3">
          Elevate
        </Title>
        <div>
          <Text span className="elevate-user-name" mr="sm" size="sm">
            {user.displayName}
          </Text>
          <Button variant="subtle" size="xs" onClick={signOut}>
            Sign out
          </Button>
        </div>
      </header>
      <div className="elevate-body">
        <nav id="elevate-nav" className="elevate-nav" data-open={menuOpen} aria-label="Pages">
          {NAV.filter((item) => may(item.needs)).map((item) => (
            <NavLink
              key={item.href}
              component={Link}
              href={item.href}
              label={item.label}
              className="elevate-nav-link"
              active={path === item.href || path.startsWith(`${item.href}/`)}
              aria-current={path === item.href ? 'page' : undefined}
            />
          ))}
        </nav>
        <main className="elevate-content">
          <div className="elevate-main">{page}</div>
        </main>
      </div>
    </>
  );
}
