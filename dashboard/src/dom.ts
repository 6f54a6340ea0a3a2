// A few lines of DOM building instead of a framework: the page re-renders its data sections on each poll
// with replaceChildren(); inputs live outside them, so typing is never interrupted.

type Child = Node | string | null | undefined | false;
type Attributes = Readonly<Record<string, string | number | undefined>>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attributes: Attributes = {}, ...children: Child[]): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

function setAttributes(node: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) node.setAttribute(name, String(value));
}

function append(node: Element, children: readonly Child[]): void {
  // Text is always a text node: nothing from the API is ever parsed as HTML.
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) node.append(child);
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}
