import { describe, expect, it } from 'vitest';
import { readDocumentId } from '../../../lib/callback/xml-report.ts';

const report = (inner: string) => `<WorkflowCompletionReport>${inner}</WorkflowCompletionReport>`;

/** The report's reader on its own: what it takes as the DocumentID, and what it never does. */
describe('readDocumentId', () => {
  it.each([
    ['the plain element', report('<DocumentID>123</DocumentID>'), '123'],
    ['any namespace prefix', report('<sh.v2:DocumentID>124</sh.v2:DocumentID>'), '124'],
    ['an underscore prefix', report('<_x:DocumentID>125</_x:DocumentID>'), '125'],
    [
      'its text with white space kept for the caller to trim',
      report('<DocumentID>\n 126 \n</DocumentID>'),
      '126',
    ],
    ['CDATA and text together', report('<DocumentID>1<![CDATA[27]]></DocumentID>'), '127'],
    [
      'text in a child element too, as XPath string() does',
      report('<DocumentID><b>12</b>8</DocumentID>'),
      '128',
    ],
    ['the value, never an attribute', report('<DocumentID value="9">129</DocumentID>'), '129'],
    [
      'an entity as the characters it is written with',
      report('<DocumentID>&#49;30</DocumentID>'),
      '&#49;30',
    ],
    ['a named entity unexpanded', report('<DocumentID>&amp;131</DocumentID>'), '&amp;131'],
  ])('reads %s', (_, xml, text) => {
    expect(readDocumentId(xml)).toEqual({ ok: true, text });
  });

  it.each([
    ['an element whose name only ends in DocumentID', report('<OldDocumentID>1</OldDocumentID>')],
    ['an element whose name only begins with DocumentID', report('<DocumentIDs>1</DocumentIDs>')],
    ['a DocumentID only in a processing instruction', report('<?DocumentID 5?>')],
    ['a DocumentID only in an attribute', report('<Report DocumentID="5"/>')],
  ])('finds no DocumentID in %s', (_, xml) => {
    const result = readDocumentId(xml);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.text).toBeUndefined();
  });

  it('refuses DocumentIDs that disagree, and takes ones that agree', () => {
    expect(readDocumentId(report('<DocumentID>1</DocumentID><DocumentID>2</DocumentID>'))).toEqual({
      ok: false,
      reason: 'the XML report has DocumentID elements that disagree',
    });
    expect(
      readDocumentId(report('<DocumentID>3</DocumentID><x><DocumentID> 3 </DocumentID></x>')),
    ).toEqual({
      ok: true,
      text: '3',
    });
  });

  it('takes a body of exactly 16 MiB and refuses one a character longer', () => {
    const head = report('<DocumentID>7</DocumentID>');
    const exact = head + ' '.repeat(16 * 1024 * 1024 - head.length);
    expect(readDocumentId(exact)).toEqual({ ok: true, text: '7' });
    expect(readDocumentId(`${exact} `)).toEqual({
      ok: false,
      reason: 'an XML body over 16 MiB is not accepted',
    });
  });
});
