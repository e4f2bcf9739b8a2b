// Console: organizations, people and invitations.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import {
  ROLES, actionButton, alertBox, ask, field, makeForm, needText, orgLabel, roleProps, time,
} from '../ui.js';
import { enc } from './shared.js';

const KINDS = ['member', 'observer'];
const kindOptions = () => KINDS.map((k) => ({ value: k, key: `org.kind_${k}` }));
const activeBadge = (active) => h('span', { class: `badge ${active ? 'active' : 'inactive'}`, t: [active ? 'common.active' : 'common.inactive'] });

function orgFields(org = {}) {
  const name = field({ name: 'name', label: 'org.name', value: org.name ?? '', attrs: { maxlength: 200 } });
  const short = field({ name: 'short_name', label: 'org.short_name', hint: 'org.short_hint', value: org.short_name ?? '', attrs: { maxlength: 50 } });
  const kind = field({ name: 'kind', label: 'org.kind', options: kindOptions(), value: org.kind ?? 'member' });
  const check = () => [...needText(name.input, 'org.name_required', 200), ...needText(short.input, 'org.short_required', 50)];
  const values = () => ({ name: name.input.value.trim(), short_name: short.input.value.trim(), kind: kind.input.value });
  return { wraps: [name.wrap, short.wrap, kind.wrap], check, values, name };
}

export async function organizationsTab(ctx, root) {
  const orgs = await api.get('/api/v1/organizations', { signal: ctx.signal });
  const list = h('ul', { class: 'cards', id: 'org-list' });
  const card = (org) => {
    const alert = alertBox();
    const slot = h('div');
    const li = h('li', { class: 'panel card', 'data-test': 'org', 'data-org-id': org.id });
    const fill = (o) => {
      Object.assign(org, o);
      li.classList.toggle('inactive', !org.active);
      const edit = h('button', { type: 'button', class: 'btn btn-secondary', 'data-test': 'org-edit', t: ['common.edit'] });
      edit.addEventListener('click', () => {
        const f = orgFields(org);
        const form = makeForm(ctx, {
          submitKey: 'common.save', cls: 'inline-form', children: f.wraps, check: f.check,
          send: () => api.patch(`/api/v1/organizations/${enc(org.id)}`, f.values()),
          done: (o) => { slot.replaceChildren(); fill(o); },
          fail: (err) => err?.status === 409 && ['org.duplicate'],
          extra: h('button', { type: 'button', class: 'btn btn-secondary', t: ['common.cancel'], onclick: () => slot.replaceChildren() }),
        });
        slot.replaceChildren(form);
        f.name.input.focus();
      });
      const toggle = actionButton(ctx, org.active ? 'common.deactivate' : 'common.activate', alert, async () => {
        if (org.active && !ask('org.deactivate_confirm', { name: org.name })) return;
        fill(await api.patch(`/api/v1/organizations/${enc(org.id)}`, { active: !org.active }));
      });
      toggle.dataset.test = 'org-toggle';
      li.replaceChildren(
        h('h3', { text: orgLabel(org) }),
        h('p', { class: 'meta' }, h('span', { class: 'badge', t: [`org.kind_${org.kind}`] }), ' ', activeBadge(org.active)),
        h('div', { class: 'actions' }, edit, toggle,
          org.kind === 'member' ? h('a', { href: `/representantes#org-${org.id}`, class: 'btn btn-secondary', t: ['org.representatives'] }) : null),
        alert, slot);
    };
    fill(org);
    return li;
  };
  list.append(...orgs.map(card));

  const f = orgFields();
  const status = h('p', { role: 'status', id: 'org-status' });
  const form = makeForm(ctx, {
    submitKey: 'org.create', children: [h('h3', { t: ['org.new_heading'] }), ...f.wraps], check: f.check,
    send: () => api.post('/api/v1/organizations', f.values()),
    done(org) {
      list.append(card(org));
      form.reset();
      tx(status, 'org.created', { name: org.name });
    },
    fail: (err) => err?.status === 409 && ['org.duplicate', f.name.input],
  });
  form.id = 'org-create-form';
  root.replaceChildren(form, status, h('h3', { t: ['org.list_heading', { n: String(orgs.length) }] }), list);
}

export async function peopleTab(ctx, root) {
  const users = await api.get('/api/v1/users', { signal: ctx.signal });
  const list = h('ul', { class: 'cards', id: 'user-list' });
  for (const u of users) {
    const alert = alertBox();
    const li = h('li', { class: 'panel card', 'data-test': 'user', 'data-user-id': u.id });
    const fill = (next) => {
      Object.assign(u, next);
      li.classList.toggle('inactive', !u.active);
      const role = field({ name: 'role', label: 'people.role', options: ROLES.map((r) => ({ value: r, key: `role.${r}` })), value: u.role });
      role.input.dataset.test = 'user-role';
      const save = actionButton(ctx, 'people.change_role', alert, async () => {
        if (role.input.value === u.role) return;
        fill(await api.patch(`/api/v1/users/${enc(u.id)}`, { role: role.input.value }));
      });
      save.dataset.test = 'user-role-save';
      const toggle = actionButton(ctx, u.active ? 'common.deactivate' : 'common.activate', alert, async () => {
        if (u.active && !ask(u.id === ctx.user.id ? 'people.deactivate_self' : 'people.deactivate_confirm', { name: u.display_name })) return;
        fill(await api.patch(`/api/v1/users/${enc(u.id)}`, { active: !u.active }));
      });
      toggle.dataset.test = 'user-toggle';
      li.replaceChildren(
        h('h3', { text: u.display_name }),
        h('p', { class: 'meta' }, h('span', { text: u.email }), h('br'), h('span', { text: orgLabel(u.organization) }), ' · ',
          h('span', roleProps(u.role)), ' ', activeBadge(u.active)),
        h('div', { class: 'inline-row' }, role.wrap, save), h('div', { class: 'actions' }, toggle), alert);
    };
    fill(u);
    list.append(li);
  }
  root.replaceChildren(h('p', { class: 'hint', t: ['people.hint'] }), list);
}

export async function invitationsTab(ctx, root) {
  const orgs = (await api.get('/api/v1/organizations', { signal: ctx.signal })).filter((o) => o.active);
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const email = field({ name: 'email', label: 'invites.email', type: 'email', attrs: { id: 'invite-email', maxlength: 254, autocapitalize: 'none', spellcheck: 'false' } });
  const org = field({ name: 'organization_id', label: 'invites.organization', options: [], attrs: { id: 'invite-org' } });
  org.input.replaceChildren(...orgs.map((o) => h('option', { value: o.id, text: orgLabel(o) })));
  const role = field({ name: 'role', label: 'invites.role', hint: 'invites.role_hint', options: ROLES.map((r) => ({ value: r, key: `role.${r}` })), attrs: { id: 'invite-role' } });
  // A delegate belongs to a member organization, an observer to an observer
  // one: suggest the role that fits (never the most privileged one) until
  // the person picks a role themselves.
  let roleChosen = false;
  role.input.addEventListener('change', () => { roleChosen = true; });
  const suggest = () => {
    const o = byId.get(org.input.value);
    if (o && !roleChosen) role.input.value = o.kind === 'observer' ? 'observer' : 'delegate';
  };
  org.input.addEventListener('change', suggest);
  suggest();
  const created = h('ul', { class: 'cards', id: 'invite-results' });
  const form = makeForm(ctx, {
    submitKey: 'invites.create', children: [email.wrap, org.wrap, role.wrap],
    check() {
      const value = email.input.value.trim();
      if (!value) return [{ input: email.input, key: 'signin.email_required' }];
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) return [{ input: email.input, key: 'signin.email_invalid' }];
      if (!org.input.value) return [{ input: org.input, key: 'invites.org_required' }];
      return [];
    },
    send: () => api.post('/api/v1/invitations', { email: email.input.value.trim(), organization_id: org.input.value, role: role.input.value }),
    done(inv) {
      created.prepend(inviteCard(email.input.value.trim(), inv));
      email.input.value = '';
      created.querySelector('input')?.focus();
    },
  });
  form.id = 'invite-form';
  root.replaceChildren(orgs.length ? form : h('p', { class: 'notice', t: ['invites.no_orgs'] }), created,
    await invitationList(ctx, created));
}

function inviteCard(email, inv) {
  const urlId = nextId('url');
  const url = h('input', { type: 'text', id: urlId, readonly: true, class: 'url', 'data-test': 'invite-url' });
  url.value = inv.url;
  const status = h('p', { role: 'status', class: 'hint' });
  const copy = h('button', { type: 'button', class: 'btn btn-primary', 'data-test': 'copy-invite', t: ['invites.copy'] });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(inv.url);
      tx(status, 'invites.copied');
    } catch {
      url.select(); // no clipboard access: selected for a manual copy
      tx(status, 'invites.copy_manual');
    }
  });
  const li = h('li', { class: 'panel card invite' },
    h('p', { t: ['invites.created', { email }] }),
    h('div', { class: 'field' }, h('label', { for: urlId, t: ['invites.url'] }), url),
    h('div', { class: 'actions' }, copy), status,
    h('p', { class: 'hint' }, h('span', { t: ['invites.expires'] }), ' ', time(inv.expires_at, false)));
  if (!document.getElementById('invite-url')) {
    url.id = 'invite-url';
    copy.id = 'copy-invite';
    li.querySelector('label').setAttribute('for', 'invite-url');
  } else {
    // The newest invitation owns the stable ids.
    const old = document.getElementById('invite-url');
    const oldLabel = document.querySelector('label[for="invite-url"]');
    const fresh = nextId('url');
    old.id = fresh;
    oldLabel?.setAttribute('for', fresh);
    document.getElementById('copy-invite')?.removeAttribute('id');
    url.id = 'invite-url';
    copy.id = 'copy-invite';
    li.querySelector('label').setAttribute('for', 'invite-url');
  }
  return li;
}

/** Invitations made so far, newest first, each with where it stands. */
async function invitationList(ctx, created) {
  const invitations = [...await api.get('/api/v1/invitations', { signal: ctx.signal })].reverse();
  const list = h('ul', { class: 'cards', id: 'invite-list' }, invitations.map((inv) => invitationCard(ctx, inv, created)));
  const headingId = nextId('sent');
  return h('section', { 'aria-labelledby': headingId },
    h('h3', { id: headingId, t: ['invites.list_heading'] }),
    invitations.length ? list : h('p', { class: 'hint', t: ['console.group_empty'] }));
}

function invitationCard(ctx, inv, created) {
  const alert = alertBox();
  const li = h('li', { class: 'panel card', 'data-test': 'invitation', 'data-invitation-id': inv.id });
  const fill = (status, expiresAt) => {
    const open = status === 'pending' || status === 'expired';
    const resend = open && actionButton(ctx, 'invites.resend', alert, async () => {
      const renewed = await api.post(`/api/v1/invitations/${enc(inv.id)}/resend`);
      created.prepend(inviteCard(inv.email, renewed));
      fill('pending', renewed.expires_at);
    });
    const revoke = open && actionButton(ctx, 'invites.revoke', alert, async () => {
      if (!ask('invites.revoke_confirm', { email: inv.email })) return;
      await api.del(`/api/v1/invitations/${enc(inv.id)}`);
      fill('revoked', expiresAt);
    });
    if (resend) resend.dataset.test = 'invite-resend';
    if (revoke) revoke.dataset.test = 'invite-revoke';
    li.replaceChildren(
      h('p', null, h('strong', { text: inv.email }), ' · ', h('span', roleProps(inv.role)), ' · ', h('span', { text: orgLabel(inv.organization) })),
      h('p', { class: 'meta' }, h('span', { class: `badge ${status}`, 'data-test': 'invite-status', t: [`invites.status_${status}`] }),
        ' ', h('span', { class: 'hint', t: ['invites.expires'] }), ' ', time(expiresAt, false)),
      open ? h('div', { class: 'actions' }, resend, revoke) : null,
      alert);
  };
  fill(inv.status, inv.expires_at);
  return li;
}
