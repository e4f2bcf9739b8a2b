// A draft statute arrives as a Word file: in the console's charter editor
// the secretariat chooses it, sees the chapters and articles found (a dry
// run: the text does not change), then imports it. The .docx is built here
// as Word lays one out (a zip of the content types, the relationships and
// word/document.xml).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { BASE, api, closeClean, createCharter, launch, secretariat } from './support.js';
import { accessibleAtBothSizes, openPageWith } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A zip of stored (uncompressed) entries: enough for a test file. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text, 'utf8');
    const file = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(file.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(file.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, file, data);
    centrals.push(central, file);
    offset += 30 + file.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const para = (text, bold = false) =>
  `<w:p><w:r>${bold ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;

const DOCX = zip([
  ['[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
  ['_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'],
  ['word/document.xml', '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    + para('ESTATUTO DEL FORO', true) + para('CAPÍTULO I', true) + para('DE LA NATURALEZA', true)
    + para('Art. 1.- Naturaleza.- El Foro es un espacio de articulación.')
    + para('Art. 2.- Domicilio.- El Foro tiene su domicilio en Quito.')
    + para('CAPÍTULO II.- DE LOS MIEMBROS') + para('Art. 3.- Miembros.- Son miembros las organizaciones fundadoras.')
    + '</w:body></w:document>'],
]);

test('a Word statute is previewed, then imported, from the charter editor', async () => {
  const sec = await secretariat();
  const doc = await createCharter();
  const tab = await openPageWith(browser, { user: sec, bypassCSP: true, reducedMotion: 'reduce' });
  const { page } = tab;
  page.on('dialog', (dialog) => dialog.accept().catch(() => {}));
  try {
    await page.goto(`${BASE}/secretaria/carta?documento=${doc.id}`);
    const form = page.locator('#import-form');
    await form.getByRole('heading', { name: 'Importar el texto desde un archivo' }).waitFor();
    await form.getByLabel('Archivo (.docx, .odt, .md o .txt)').setInputFiles({
      name: 'estatuto.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: DOCX,
    });
    await form.getByText('Se eligió estatuto.docx').waitFor();
    await form.getByRole('button', { name: 'Vista previa' }).click();
    await form.locator('[data-test="import-found"]').getByText('Se encontraron 2 capítulos y 3 artículos.', { exact: false }).waitFor();
    const found = await form.locator('#import-preview li strong').allTextContents();
    assert.deepEqual(found, ['DE LA NATURALEZA', 'Naturaleza', 'Domicilio', 'DE LOS MIEMBROS', 'Miembros']);
    const still = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    assert.equal(still.version, doc.version, 'the preview changed nothing');
    await accessibleAtBothSizes(page, 'import preview in the charter editor');

    await form.getByRole('button', { name: 'Importar', exact: true }).click();
    await page.locator('#editor-version').getByText(`Versión ${doc.version + 1}`, { exact: true }).waitFor();
    const after = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    assert.deepEqual(after.sections.map((s) => [s.kind, s.title]), [
      ['chapter', 'DE LA NATURALEZA'], ['article', 'Naturaleza'], ['article', 'Domicilio'],
      ['chapter', 'DE LOS MIEMBROS'], ['article', 'Miembros'],
    ]);
    assert.equal(after.sections[1].body, 'El Foro es un espacio de articulación.');
  } finally {
    await closeClean(tab);
  }
});
