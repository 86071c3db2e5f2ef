// The frame around every page: header, navigation (only pages that exist, and admin pages only
// for someone who may use them), and the page for the current path.
import { Alert, Button, Center, Loader, NavLink, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, plainWords } from './api';
import { completeSignIn, SIGNED_OUT, signOut } from './auth';
import { DIRECTORY, getMe, type Me } from './graph';
import { useLoad } from './load';
import { AdminRolePage } from './pages/admin-role';
import { AdminRolesPage } from './pages/admin-roles';
import { ApprovalsPage } from './pages/approvals';
import { MyRequestsPage } from './pages/my-requests';
import { MyRolesPage } from './pages/my-roles';
import { PAGES } from './routes';
import { Link, match, navigate, usePath } from './router';

interface NavItem {
  href: string;
  label: string;
  admin?: boolean;
}

const NAV: NavItem[] = [
  { href: PAGES.roles, label: 'My roles' },
  { href: PAGES.requests, label: 'My requests' },
  { href: PAGES.approvals, label: 'Approvals' },
  { href: PAGES.adminRoles, label: 'Admin — Roles', admin: true },
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

export function Loading({ what }: { what: string }) {
  return (
    <Center mih="30vh" role="status" aria-live="polite">
      <Loader size="sm" mr="sm" />
      <Text>{what}…</Text>
    </Center>
  );
}

/** Whether the signed-in user may administer roles now (an active admin role, not merely eligible). */
const mayAdminister = () =>
  api('GET', `${DIRECTORY}/roleDefinitions?$top=1&$select=id`).then(
    () => true,
    () => false,
  );

export function Shell() {
  const path = usePath();
  if (match(PAGES.callback, path)) return <Callback />;
  return <SignedIn path={path} />;
}

function SignedIn({ path }: { path: string }) {
  const me = useLoad(getMe, []);
  const [rights, setRights] = useState(0);
  const admin = useLoad(mayAdminister, [rights]);
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
  const isAdmin = admin.data === true;
  const onRolesChanged = () => setRights((n) => n + 1);

  const role = match(PAGES.adminRole, path);
  let page;
  if (match(PAGES.roles, path)) page = <MyRolesPage me={user} onChanged={onRolesChanged} />;
  else if (match(PAGES.requests, path)) page = <MyRequestsPage me={user} />;
  else if (match(PAGES.approvals, path)) page = <ApprovalsPage />;
  else if (match(PAGES.adminRoles, path)) page = <AdminRolesPage />;
  else if (role?.roleId) page = <AdminRolePage roleId={role.roleId} />;
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
          {NAV.filter((item) => !item.admin || isAdmin).map((item) => (
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
