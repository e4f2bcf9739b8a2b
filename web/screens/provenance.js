// Who stands behind a proposal and where it came from: its co-sponsors (and
// those invited), the consolidated text that replaced it or the proposals it
// replaces, and the new title it gives its article. The author organization
// invites co-sponsors here; an invited organization's delegate accepts.
// Loaded only for a proposal that has any of this, or that its authors may
// still share, so the first load of an ordinary proposal stays small.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { loadPart, tx } from '../i18n.js';
import { actionButton, alertBox, field, orgLabel } from '../ui.js';
import { enc } from './shared.js';

const ownOrg = (user, p) => user.role === 'delegate' && user.organization?.id === p.organization?.id;

/** The panel; `render(p)` redraws it; `update` takes the proposal the server answers. */
export async function provenancePanel(ctx, user, update) {
  await loadPart('process');
  const headingId = nextId('provenance');
  const alert = alertBox();
  const body = h('div');
  const el = h('section', { class: 'panel', id: 'provenance', 'aria-labelledby': headingId },
    h('h2', { id: headingId, t: ['provenance.heading'] }), body, alert);
  let organizations = null;

  const orgList = (orgs, test) => h('ul', { 'data-test': test }, orgs.map((o) => h('li', { text: orgLabel(o) })));
  const titles = new Map();
  const proposalLink = (id, test) => {
    const link = h('a', { href: `/propuestas/${enc(id)}`, 'data-test': test });
    const named = (title) => { link.removeAttribute('data-i18n'); link.textContent = title; };
    if (titles.has(id)) named(titles.get(id));
    else {
      tx(link, 'provenance.proposal_link', { id: id.slice(-6) });
      api.get(`/api/v1/proposals/${enc(id)}`, { signal: ctx.signal })
        .then((other) => { titles.set(id, other.title); named(other.title); }).catch(() => {});
    }
    return h('li', null, link);
  };

  async function inviteForm(p) {
    organizations ??= await api.get('/api/v1/organizations', { signal: ctx.signal }).catch(() => []);
    const taken = new Set([p.organization?.id, ...(p.cosponsors ?? []).map((o) => o.id),
      ...(p.invited_cosponsors ?? []).map((o) => o.id)]);
    const candidates = organizations.filter((o) => o.kind === 'member' && o.active !== false && !taken.has(o.id));
    if (!candidates.length) return h('p', { class: 'hint', t: ['provenance.no_candidates'] });
    const choice = field({ name: 'organization_id', label: 'provenance.invite_label', attrs: { id: 'cosponsor-org' },
      options: candidates.map((o) => ({ value: o.id, text: orgLabel(o) })) });
    const invite = actionButton(ctx, 'provenance.invite', alert, async () => {
      const next = await api.post(`/api/v1/proposals/${enc(p.id)}/cosponsors`, { organization_id: choice.input.value });
      update(next);
    });
    invite.id = 'invite-cosponsor';
    return h('div', { class: 'invite' }, choice.wrap, h('div', { class: 'actions' }, invite));
  }

  async function render(p) {
    const parts = [];
    if (p.revision?.section_title) {
      parts.push(h('p', { id: 'new-section-title', t: ['provenance.section_title', { title: p.revision.section_title }] }));
    }
    parts.push(h('h3', { t: ['provenance.cosponsors'] }));
    parts.push(p.cosponsors?.length ? orgList(p.cosponsors, 'cosponsors')
      : h('p', { class: 'hint', t: ['provenance.no_cosponsors'] }));
    if (p.invited_cosponsors?.length) {
      parts.push(h('h3', { t: ['provenance.invited'] }), orgList(p.invited_cosponsors, 'invited-cosponsors'));
    }
    const invited = (p.invited_cosponsors ?? []).some((o) => o.id === user.organization?.id);
    if (invited && user.role === 'delegate' && p.status === 'open') {
      const accept = actionButton(ctx, 'provenance.accept', alert, async () => {
        update(await api.post(`/api/v1/proposals/${enc(p.id)}/cosponsors/accept`));
      }, 'btn btn-primary');
      accept.id = 'accept-cosponsorship';
      parts.push(h('div', { class: 'notice', role: 'note' }, h('p', { t: ['provenance.you_are_invited'] }), accept));
    }
    if (p.status === 'open' && ownOrg(user, p)) parts.push(await inviteForm(p));
    if (p.superseded_by) {
      parts.push(h('h3', { t: ['provenance.superseded_by'] }), h('ul', null, proposalLink(p.superseded_by, 'superseded-by')));
    }
    if (p.supersedes?.length) {
      parts.push(h('h3', { t: ['provenance.supersedes'] }), h('ul', null, p.supersedes.map((id) => proposalLink(id, 'supersedes'))));
    }
    if (ctx.current()) body.replaceChildren(...parts);
  }

  return { el, render };
}
