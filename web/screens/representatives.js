// Accreditation (/representantes): each member organization's titular
// representative and alternates in force, and any proposal waiting for the
// secretariat. A delegate proposes for their own organization (the
// secretariat for any); the secretariat confirms.

import * as api from '../api.js';
import { fill, h, nextId } from '../dom.js';
import { actionButton, alertBox, field, makeForm, showError, time } from '../ui.js';
import { enc, isSecretariat } from './shared.js';
import { loadSessionWords } from './session-parts.js';

const MAX_ALTERNATES = 5; // domain/mandate.rs

const mayNominate = (user, orgId) => isSecretariat(user) || (user.role === 'delegate' && user.organization?.id === orgId);

function mandateNode(mandate, key) {
  if (!mandate) return null;
  return h('div', { class: 'mandate', 'data-test': key },
    h('p', { class: 'label', t: [`representatives.${key}`] }),
    h('p', null, h('span', { t: ['representatives.titular'] }), ' ', h('strong', { 'data-test': 'titular', text: mandate.titular.display_name })),
    mandate.alternates.length
      ? h('p', null, h('span', { t: ['representatives.alternates'] }), ' ',
        h('span', { 'data-test': 'alternates', text: mandate.alternates.map((a) => a.display_name).join(', ') }))
      : h('p', { class: 'hint', t: ['representatives.no_alternates'] }),
    h('p', { class: 'hint' }, mandate.confirmed_by
      ? h('span', { t: ['representatives.confirmed_by', { name: mandate.confirmed_by.display_name }] })
      : h('span', { t: ['representatives.proposed_by', { name: mandate.proposed_by.display_name }] }),
    ' ', time(mandate.confirmed_at || mandate.proposed_at)));
}

function nominateForm(ctx, r, done) {
  const box = h('div', { class: 'nominate-box' }, h('p', { class: 'loading', t: ['common.loading'] }));
  const details = h('details', { class: 'nominate', 'data-test': 'nominate' }, h('summary', { t: ['representatives.propose'] }), box);
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const { candidates = [] } = await api.get(`/api/v1/organizations/${enc(r.organization_id)}/representatives`, { signal: ctx.signal });
      if (!candidates.length) {
        fill(box, h('p', { class: 'hint', t: ['representatives.no_candidates'] }));
        return;
      }
      const current = r.proposed || r.confirmed;
      const titular = field({
        name: 'titular', label: 'representatives.titular_label',
        options: candidates.map((p) => ({ value: p.id, text: p.display_name })),
      });
      if (current && candidates.some((p) => p.id === current.titular.id)) titular.input.value = current.titular.id;
      const checks = candidates.map((p) => {
        const id = nextId('alternate');
        const input = h('input', { type: 'checkbox', id, name: 'alternate', value: p.id });
        input.checked = Boolean(current?.alternates.some((a) => a.id === p.id));
        return { input, wrap: h('div', { class: 'check' }, input, h('label', { for: id, text: p.display_name })) };
      });
      const alternates = h('fieldset', null, h('legend', { t: ['representatives.alternates_label', { n: String(MAX_ALTERNATES) }] }),
        checks.map((c) => c.wrap));
      const chosen = () => checks.filter((c) => c.input.checked && c.input.value !== titular.input.value).map((c) => c.input.value);
      fill(box, makeForm(ctx, {
        submitKey: 'representatives.propose_submit', cls: 'inline-form',
        children: [titular.wrap, alternates],
        check: () => (chosen().length > MAX_ALTERNATES
          ? [{ input: checks[0].input, key: 'representatives.too_many', params: { n: String(MAX_ALTERNATES) } }] : []),
        send: () => api.put(`/api/v1/organizations/${enc(r.organization_id)}/representatives`,
          { titular: titular.input.value, alternates: chosen() }),
        done,
      }));
    } catch (err) {
      loaded = false;
      const alert = alertBox();
      fill(box, alert);
      showError(alert, err);
    }
  });
  return details;
}

function organizationCard(ctx, r) {
  const li = h('li', { class: 'panel card', id: `org-${r.organization_id}`, 'data-test': 'representatives', 'data-organization-id': r.organization_id });
  const alert = alertBox();
  const render = (next) => {
    Object.assign(r, next);
    const confirm = isSecretariat(ctx.user) && r.proposed
      ? actionButton(ctx, 'representatives.confirm', alert, async () => {
        render(await api.post(`/api/v1/organizations/${enc(r.organization_id)}/representatives/confirm`));
      }, 'btn btn-primary')
      : null;
    if (confirm) confirm.dataset.test = 'confirm-representatives';
    fill(li,
      h('h2', { class: 'h3', text: r.organization_name }),
      r.confirmed ? mandateNode(r.confirmed, 'in_force') : h('p', { class: 'hint', t: ['representatives.none'] }),
      mandateNode(r.proposed, 'waiting'),
      confirm ? h('div', { class: 'actions' }, confirm) : null,
      alert,
      mayNominate(ctx.user, r.organization_id) ? nominateForm(ctx, r, render) : null);
  };
  render(r);
  return li;
}

export async function representativesView(ctx) {
  const [all] = await Promise.all([api.get('/api/v1/representatives', { signal: ctx.signal }), loadSessionWords()]);
  const own = ctx.user.organization?.id;
  all.sort((a, b) => Number(b.organization_id === own) - Number(a.organization_id === own));
  const headingId = nextId('reps');
  ctx.show('representatives.title',
    h('p', { class: 'crumbs' }, h('a', { href: '/sesiones', t: ['session.list_title'] })),
    h('h1', { id: headingId, t: ['representatives.title'] }),
    h('p', { class: 'hint', t: ['representatives.intro'] }),
    all.length
      ? h('ul', { class: 'cards', id: 'representatives-list', 'aria-labelledby': headingId }, all.map((r) => organizationCard(ctx, r)))
      : h('p', { class: 'hint', t: ['representatives.no_members'] }));
}
