/** Building SVG text safely: every attribute and text node goes through escapeXml. */

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type Attributes = Record<string, string | number | undefined>;

/** Numbers are rounded to 0.01 px: enough for a chart, and it keeps the file small. */
function attributeValue(value: string | number): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : escapeXml(value);
}

export function element(tag: string, attributes: Attributes, children: string[] = []): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${attributeValue(value)}"`)
    .join('');
  return children.length === 0
    ? `<${tag}${attrs}/>`
    : `<${tag}${attrs}>${children.join('')}</${tag}>`;
}

export function text(content: string, attributes: Attributes): string {
  return element('text', attributes, [escapeXml(content)]);
}
