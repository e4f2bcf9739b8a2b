// The discussion of a proposal: threaded comments, replies, edits with
// history, deletion (tombstones), flags, hiding, quotes. Live events insert
// or patch only the comment they concern: a form being typed in is never
// rebuilt.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import * as live from '../live.js';
import {
  alertBox, ask, bindDraft, charCount, clearDraft, field, makeForm, showError, statusOf, time,
} from '../ui.js';
import { isSecretariat, prose } from './shared.js';

/** The `@` autocomplete, loaded when a box is first used: not part of the first load. */
function mentionsOnFocus(input) {
  input.addEventListener('focus', () => {
    import('../mention.js').then((mention) => mention.attachMentions(input)).catch(() => {});
  }, { once: true });
}

const MAX = 20000;

export function commentsSection(ctx, proposal, initial, { topic, presence }) {
  const me = ctx.user;
  const secretariat = isSecretariat(me);
  const pid = proposal.id;
  const base = `/api/v1/proposals/${encodeURIComponent(pid)}`;
  const items = new Map(); // id -> {data, node, parts}
  let locked = proposal.locked;

  const headingId = nextId('comments');
  const heading = h('h2', { id: headingId });
  const list = h('ol', { class: 'thread', id: 'comment-list' });
  const announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'comments-live' });
  const lockedNote = h('p', { class: 'notice', id: 'comments-locked', t: ['comments.locked'] });
  const composer = newCommentForm();
  const el = h('section', { id: 'comments', class: 'comments', 'aria-labelledby': headingId },
    heading, presence.typing, list, announcer, lockedNote, composer.form);

  const count = () => tx(heading, 'comments.heading', { n: String([...items.values()].filter((x) => !x.data.deleted).length) });

  // ---- one comment

  function build(c) {
    const authorId = nextId('author');
    const parts = {
      head: h('header', { class: 'c-head' }),
      quote: h('blockquote', { class: 'c-quote', 'data-test': 'comment-quote' }),
      state: h('div', { class: 'c-state' }),
      body: h('div', { class: 'c-body', 'data-test': 'comment-body' }),
      history: h('div', { class: 'c-history', hidden: true }),
      actions: h('div', { class: 'c-actions' }),
      forms: h('div', { class: 'c-forms' }),
      alert: alertBox(),
      replies: h('ol', { class: 'thread replies' }),
      authorId,
      actionsKey: '',
    };
    const node = h('li', { class: 'comment', id: `comment-${c.id}`, 'data-test': 'comment', 'data-comment-id': c.id },
      h('article', { 'aria-labelledby': authorId },
        parts.head, parts.quote, parts.state, parts.body, parts.history, parts.actions, parts.alert, parts.forms),
      parts.replies);
    return { node, parts };
  }

  function patch(item) {
    const c = item.data;
    const { parts, node } = item;
    const mine = c.author?.id === me.id;
    node.classList.toggle('mine', mine);
    node.classList.toggle('deleted', Boolean(c.deleted));
    node.classList.toggle('hidden-comment', Boolean(c.hidden));
    node.dataset.state = c.deleted ? 'deleted' : c.hidden ? 'hidden' : 'visible';

    const edited = c.edited_at && !c.deleted
      ? h('button', {
        type: 'button', class: 'btn-link edited', 'data-test': 'edited', 'aria-expanded': String(!parts.history.hidden),
        t: ['comments.edited'], onclick: () => toggleHistory(item),
      })
      : null;
    parts.head.replaceChildren(
      h('strong', { id: parts.authorId, text: c.author?.display_name ?? '' }), ' ',
      h('span', { class: 'org', text: c.organization?.short_name ?? c.organization?.name ?? '' }), ' · ',
      time(c.created_at), edited ? ' · ' : '', edited || '');

    parts.quote.hidden = !c.anchor?.quote || c.deleted;
    if (c.anchor?.quote) {
      parts.quote.replaceChildren(
        h('p', { class: 'hint', t: ['comments.quote_of', { n: String(c.anchor.revision) }] }),
        h('p', { class: 'pre', text: c.anchor.quote }));
    }

    if (c.deleted) {
      parts.state.replaceChildren(h('p', { class: 'tombstone', t: ['comments.deleted'] }));
    } else if (c.hidden) {
      parts.state.replaceChildren(h('p', { class: 'notice warn', 'data-test': 'hidden-note', t: ['comments.hidden', { reason: c.hidden_reason ?? '' }] }));
    } else {
      parts.state.replaceChildren();
    }
    const visible = !c.deleted && (c.body_html || c.body);
    parts.body.replaceChildren(visible ? prose(c.body_html) : '');
    parts.body.hidden = !visible || parts.forms.dataset.form === 'edit';

    const key = [c.deleted, c.hidden, locked].join('|');
    if (key !== parts.actionsKey) {
      parts.actionsKey = key;
      parts.actions.replaceChildren(...actionsFor(item));
      // An open edit form of a comment that is gone has nothing to edit.
      if (c.deleted && parts.forms.dataset.form) closeForm(item);
    }
  }

  function actionsFor(item) {
    const c = item.data;
    const mine = c.author?.id === me.id;
    const button = (key, test, onclick) => h('button', { type: 'button', class: 'btn-link', 'data-test': test, t: [key], onclick });
    const out = [];
    if (c.deleted) return out;
    if (!locked) out.push(button('comments.reply', 'reply', () => openReply(item)));
    if (mine && !locked) {
      out.push(button('comments.edit', 'edit', () => openEdit(item)));
      out.push(button('comments.delete', 'delete', () => remove(item)));
    }
    if (!mine) out.push(button('comments.flag', 'flag', () => openReason(item, 'flag')));
    if (secretariat) {
      out.push(c.hidden
        ? button('comments.unhide', 'unhide', () => unhide(item))
        : button('comments.hide', 'hide', () => openReason(item, 'hide')));
    }
    return out;
  }

  function upsert(c, { fromOthers = false } = {}) {
    let item = items.get(c.id);
    if (item) {
      // A reader keeps what the server last said: an older event never wins.
      item.data = { ...item.data, ...c };
      patch(item);
      count();
      return item;
    }
    const { node, parts } = build(c);
    item = { data: c, node, parts };
    items.set(c.id, item);
    const parent = c.parent_id && items.get(c.parent_id);
    (parent ? parent.parts.replies : list).append(node);
    patch(item);
    count();
    if (fromOthers) {
      tx(announcer, 'comments.new_from', { name: c.author?.display_name ?? '' });
      node.classList.add('fresh');
      setTimeout(() => node.classList.remove('fresh'), 4000);
    }
    return item;
  }

  // ---- forms in a comment (reply, edit, flag, hide): one at a time

  function closeForm(item, focus) {
    item.parts.forms.replaceChildren();
    delete item.parts.forms.dataset.form;
    item.parts.body.hidden = !(item.data.body_html || item.data.body) || item.data.deleted;
    if (focus) item.parts.actions.querySelector(`[data-test="${focus}"]`)?.focus();
  }

  function openForm(item, kind, form) {
    item.parts.forms.replaceChildren(form);
    item.parts.forms.dataset.form = kind;
    form.querySelector('textarea, input')?.focus();
  }

  const cancel = (item, focus) => h('button', {
    type: 'button', class: 'btn btn-secondary', t: ['common.cancel'], onclick: () => closeForm(item, focus),
  });

  function openReply(item) {
    if (item.parts.forms.dataset.form === 'reply') {
      item.parts.forms.querySelector('textarea')?.focus();
      return;
    }
    const draftKey = `reply.${pid}.${item.data.id}`;
    const body = field({ name: 'reply', label: 'comments.reply_label', rows: 3, attrs: { maxlength: MAX } });
    body.input.addEventListener('input', () => live.typing(topic));
    mentionsOnFocus(body.input);
    bindDraft(draftKey, { body: body.input });
    const form = makeForm(ctx, {
      submitKey: 'comments.send_reply', cls: 'inline-form', children: [body.wrap],
      check: () => bodyProblems(body.input),
      send: () => api.post(`${base}/comments`, { body: body.input.value, parent_id: item.data.id }),
      done(c) {
        clearDraft(draftKey);
        closeForm(item);
        const added = upsert(c);
        added.node.querySelector('article')?.setAttribute('tabindex', '-1');
        added.node.querySelector('article')?.focus();
      },
      fail: lockedFail,
      extra: cancel(item, 'reply'),
    });
    form.dataset.test = 'reply-form';
    openForm(item, 'reply', form);
  }

  function openEdit(item) {
    const draftKey = `edit.${item.data.id}`;
    const body = field({ name: 'edit', label: 'comments.edit_label', rows: 4, value: item.data.body ?? '', attrs: { maxlength: MAX } });
    body.input.addEventListener('input', () => live.typing(topic));
    bindDraft(draftKey, { body: body.input });
    const form = makeForm(ctx, {
      submitKey: 'comments.save', cls: 'inline-form', children: [body.wrap],
      check: () => bodyProblems(body.input),
      send: () => api.patch(`/api/v1/comments/${encodeURIComponent(item.data.id)}`, { body: body.input.value }),
      done(c) {
        clearDraft(draftKey);
        closeForm(item, 'edit');
        upsert(c);
      },
      fail: lockedFail,
      extra: cancel(item, 'edit'),
    });
    form.dataset.test = 'edit-form';
    openForm(item, 'edit', form);
    item.parts.body.hidden = true;
  }

  /** Flag (anyone) or hide (secretariat): both ask for a reason. */
  function openReason(item, kind) {
    const reason = field({ name: kind, label: `comments.${kind}_reason`, attrs: { maxlength: 500 } });
    const path = `/api/v1/comments/${encodeURIComponent(item.data.id)}/${kind}`;
    const form = makeForm(ctx, {
      submitKey: `comments.${kind}_submit`, cls: 'inline-form', children: [reason.wrap],
      check: () => (reason.input.value.trim() ? [] : [{ input: reason.input, key: 'comments.reason_required' }]),
      send: () => api.post(path, { reason: reason.input.value.trim() }),
      done(data) {
        closeForm(item);
        if (kind === 'hide' && data?.id) upsert(data);
        item.parts.alert.replaceChildren();
        item.parts.forms.replaceChildren(h('p', { class: 'notice', role: 'status', t: [`comments.${kind}_done`] }));
      },
      fail: (err) => statusOf(err) === 409 && kind === 'flag' && ['comments.flag_twice'],
      extra: cancel(item, kind),
    });
    form.dataset.test = `${kind}-form`;
    openForm(item, kind, form);
  }

  async function remove(item) {
    if (!ask('comments.delete_confirm')) return;
    item.parts.alert.replaceChildren();
    try {
      await api.del(`/api/v1/comments/${encodeURIComponent(item.data.id)}`);
      upsert({ ...item.data, deleted: true, body: '', body_html: '' });
    } catch (err) {
      if (ctx.current()) showError(item.parts.alert, err);
    }
  }

  async function unhide(item) {
    item.parts.alert.replaceChildren();
    try {
      upsert(await api.post(`/api/v1/comments/${encodeURIComponent(item.data.id)}/unhide`));
    } catch (err) {
      if (ctx.current()) showError(item.parts.alert, err);
    }
  }

  async function toggleHistory(item) {
    const box = item.parts.history;
    const button = item.parts.head.querySelector('.edited');
    if (!box.hidden) {
      box.hidden = true;
      button?.setAttribute('aria-expanded', 'false');
      return;
    }
    box.hidden = false;
    button?.setAttribute('aria-expanded', 'true');
    tx(box, 'common.loading');
    try {
      const edits = await api.get(`/api/v1/comments/${encodeURIComponent(item.data.id)}/history`, { signal: ctx.signal });
      box.removeAttribute('data-i18n');
      box.replaceChildren(h('h3', { t: ['comments.history'] }), edits.length
        ? h('ol', { class: 'history-list' }, edits.map((e) => h('li', null,
          h('p', { class: 'hint', t: ['comments.history_item', { date: { date: e.written_at, short: true } }] }),
          e.body ? h('p', { class: 'pre', text: e.body }) : h('p', { class: 'hint', t: ['comments.history_hidden'] }))))
        : h('p', { class: 'hint', t: ['comments.history_empty'] }));
    } catch (err) {
      box.removeAttribute('data-i18n');
      if (ctx.current()) showError(box, err);
    }
  }

  // ---- the form for a new comment, with an optional quote

  function newCommentForm() {
    const draftKey = `comment.${pid}`;
    const body = field({ name: 'comment', label: 'comments.new_label', rows: 4, attrs: { id: 'comment-body', maxlength: MAX } });
    mentionsOnFocus(body.input);
    const quote = h('input', { type: 'hidden', name: 'quote' });
    const revision = h('input', { type: 'hidden', name: 'revision' });
    const preview = h('div', { id: 'comment-quote-preview', class: 'quote-preview', hidden: true });
    const status = h('p', { id: 'comment-status', role: 'status', class: 'hint' });
    const showQuote = () => {
      preview.hidden = !quote.value;
      if (!quote.value) return preview.replaceChildren();
      const unquote = h('button', { type: 'button', class: 'btn-link', id: 'remove-quote', t: ['comments.remove_quote'] });
      unquote.addEventListener('click', () => {
        setQuote('', '');
        body.input.focus();
      });
      return preview.replaceChildren(
        h('p', { class: 'hint', t: ['comments.quoting', { n: revision.value }] }),
        h('blockquote', { class: 'c-quote' }, h('p', { class: 'pre', text: quote.value })), unquote);
    };
    const setQuote = (text, n) => {
      quote.value = text;
      revision.value = String(n);
      quote.dispatchEvent(new Event('change'));
      showQuote();
    };
    body.input.addEventListener('input', () => {
      live.typing(topic);
      status.replaceChildren();
      status.removeAttribute('data-i18n');
    });
    if (bindDraft(draftKey, { body: body.input, quote, revision })) tx(status, 'comments.draft_restored');
    showQuote();
    const form = makeForm(ctx, {
      submitKey: 'comments.publish', cls: 'panel comment-form', label: 'comments.form_label',
      children: [preview, body.wrap, status],
      check: () => bodyProblems(body.input),
      send() {
        const payload = { body: body.input.value };
        if (quote.value) payload.anchor = { revision: Number(revision.value), quote: quote.value };
        return api.post(`${base}/comments`, payload);
      },
      done(c) {
        clearDraft(draftKey);
        body.input.value = '';
        setQuote('', '');
        clearDraft(draftKey);
        upsert(c);
        tx(status, 'comments.published');
        body.input.focus();
      },
      fail: lockedFail,
    });
    form.id = 'comment-form';
    return {
      form,
      quote(text, n) {
        setQuote(text, n);
        body.input.focus();
      },
      setLocked(on) {
        for (const control of form.querySelectorAll('textarea, button')) control.disabled = on;
      },
    };
  }

  function bodyProblems(input) {
    if (!input.value.trim()) return [{ input, key: 'comments.body_required' }];
    if (charCount(input.value) > MAX) return [{ input, key: 'comments.body_too_long' }];
    return [];
  }

  function lockedFail(err) {
    if (statusOf(err) === 409) return ['comments.locked_conflict'];
    return null;
  }

  function setLocked(on) {
    locked = on;
    lockedNote.hidden = !on;
    composer.setLocked(on);
    for (const item of items.values()) patch(item);
  }

  for (const c of initial) upsert(c);
  count();
  setLocked(locked);

  return {
    el,
    setLocked,
    quote: composer.quote,
    /** A live comment.* event. */
    event(message) {
      const c = message.data?.comment;
      if (!c?.id) return;
      const mine = message.actor?.id === me.id;
      const isNew = !items.has(c.id);
      // Replayed history: the comment may since have been edited or deleted;
      // the last event replayed is its state now.
      upsert(c, { fromOthers: isNew && !mine && !message.replay && message.kind === 'comment.created' });
      if (message.kind === 'comment.created' && message.actor) presence.stopped(message.actor.id);
    },
  };
}
