/**
 * Regenerates bench/data/pipedream-catalog.json: real actions (key, name, description, props with
 * their labels and descriptions, annotations) of Pipedream's published `@pipedream/<app>`
 * component packages, for the search evaluation in bench/search-eval.mjs.
 *
 * Each package is fetched with `npm pack` (which never runs package scripts) into a temporary
 * directory and its action modules are read *statically*: the TypeScript parser (already a dev
 * dependency) parses each file and a small evaluator resolves the exported object literal —
 * string literals, spreads of imported objects (`...common`), `propDefinition: [app, "name"]`
 * references into the app file's propDefinitions, destructuring — without running any of the
 * package's code. Values it cannot resolve statically (function calls, conditionals) are dropped.
 * App names come from each package's description, app descriptions from the first paragraph of
 * its README's Overview (the packages carry no categories).
 *
 * Run: node bench/build-search-catalog.mjs [--keep DIR]   (needs the npm registry)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * Every `@pipedream/<app>` component package this workplace's npm registry serves (the ones
 * listed in its package index, plus calendly_v2 and shopify_developer_app), pinned so a rebuild
 * gives the same catalog.
 */
const PACKAGES = {
  apify: "0.4.0",
  aws: "1.1.1",
  brex: "0.1.1",
  calendly_v2: "1.4.1",
  canva: "0.2.3",
  clio: "0.1.1",
  docusign: "0.2.2",
  gitlab: "0.5.6",
  google_drive: "1.4.1",
  helper_functions: "0.3.13",
  launchdarkly: "0.1.1",
  linear_app: "0.8.1",
  linkedin: "0.1.1",
  microsoft_outlook: "1.7.5",
  monday: "0.7.0",
  mysql: "2.5.0",
  notiff_io: "0.1.0",
  notion: "1.0.6",
  pipedream: "0.4.2",
  postgresql: "2.2.4",
  procore: "0.1.0",
  quickbooks: "0.8.0",
  ramp: "0.1.2",
  sftp: "0.5.1",
  shopify: "1.0.1",
  shopify_developer_app: "0.13.1",
  slack: "0.10.3",
  youtube_data_api: "1.0.1",
};

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, "data", "pipedream-catalog.json");
const keepIdx = process.argv.indexOf("--keep");
const work = keepIdx >= 0 ? resolve(process.argv[keepIdx + 1]) : mkdtempSync(join(tmpdir(), "pd-catalog-"));
mkdirSync(work, { recursive: true });

/** Package root per app slug, after fetching and unpacking. */
const roots = new Map();
for (const [app, version] of Object.entries(PACKAGES)) {
  const root = join(work, app);
  if (!existsSync(join(root, "package", "package.json"))) {
    mkdirSync(root, { recursive: true });
    const file = execFileSync("npm", ["pack", `@pipedream/${app}@${version}`, "--ignore-scripts", "--silent", "--pack-destination", root], { encoding: "utf8" }).trim().split("\n").pop();
    execFileSync("tar", ["xzf", join(root, file), "-C", root]);
  }
  roots.set(app, join(root, "package"));
}

/* ---------------- a static evaluator for component modules ---------------- */

const UNKNOWN = Symbol("unknown");
const FUNCTION = Symbol("function");

const modules = new Map();

function resolveSpecifier(spec, from) {
  if (spec.startsWith(".")) {
    const p = resolve(dirname(from), spec);
    for (const c of [p, `${p}.mjs`, `${p}.js`, join(p, "index.mjs")]) if (existsSync(c) && statSync(c).isFile()) return c;
    return undefined;
  }
  const m = /^@pipedream\/([a-z0-9_]+)(?:\/(.+))?$/.exec(spec);
  if (m && roots.has(m[1])) {
    const root = roots.get(m[1]);
    const p = join(root, m[2] ?? JSON.parse(readFileSync(join(root, "package.json"), "utf8")).main ?? "index.mjs");
    return existsSync(p) ? p : undefined;
  }
  return undefined;
}

/** A module's bindings (lazily evaluated) and exports. */
function loadModule(file) {
  let mod = modules.get(file);
  if (mod) return mod;
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const bindings = new Map();
  const values = new Map();
  const exports = new Map();
  mod = { file, bindings, values, exports, evaluating: new Set() };
  modules.set(file, mod);
  for (const st of source.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const target = resolveSpecifier(st.moduleSpecifier.text, file);
      const clause = st.importClause;
      if (clause.name) bindings.set(clause.name.text, { kind: "import", target, name: "default" });
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) bindings.set(nb.name.text, { kind: "import", target, name: "*" });
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) bindings.set(el.name.text, { kind: "import", target, name: (el.propertyName ?? el.name).text });
    } else if (ts.isVariableStatement(st)) {
      const exported = st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      for (const decl of st.declarationList.declarations) {
        if (!decl.initializer) continue;
        if (ts.isIdentifier(decl.name)) {
          bindings.set(decl.name.text, { kind: "expr", node: decl.initializer });
          if (exported) exports.set(decl.name.text, decl.name.text);
        } else if (ts.isObjectBindingPattern(decl.name)) {
          const taken = [];
          for (const el of decl.name.elements) {
            if (!ts.isIdentifier(el.name)) continue;
            if (el.dotDotDotToken) bindings.set(el.name.text, { kind: "rest", node: decl.initializer, omit: taken.slice() });
            else {
              const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
              taken.push(prop);
              bindings.set(el.name.text, { kind: "member", node: decl.initializer, prop });
            }
          }
        }
      }
    } else if (ts.isFunctionDeclaration(st) && st.name) {
      bindings.set(st.name.text, { kind: "value", value: FUNCTION });
    } else if (ts.isExportAssignment(st)) {
      bindings.set("\0default", { kind: "expr", node: st.expression });
      exports.set("default", "\0default");
    } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause) && !st.moduleSpecifier) {
      for (const el of st.exportClause.elements) exports.set(el.name.text, (el.propertyName ?? el.name).text);
    }
  }
  return mod;
}

function exportOf(file, name) {
  if (!file) return UNKNOWN;
  const mod = loadModule(file);
  if (name === "*") return Object.fromEntries([...mod.exports.keys()].map((k) => [k, lookup(mod, mod.exports.get(k))]));
  const local = mod.exports.get(name);
  return local === undefined ? UNKNOWN : lookup(mod, local);
}

function lookup(mod, name) {
  if (mod.values.has(name)) return mod.values.get(name);
  const b = mod.bindings.get(name);
  if (!b || mod.evaluating.has(name)) return UNKNOWN;
  mod.evaluating.add(name);
  let v;
  switch (b.kind) {
    case "import":
      v = exportOf(b.target, b.name);
      break;
    case "expr":
      v = evaluate(b.node, mod);
      break;
    case "member": {
      const o = evaluate(b.node, mod);
      v = isObject(o) ? o[b.prop] : UNKNOWN;
      break;
    }
    case "rest": {
      const o = evaluate(b.node, mod);
      v = isObject(o) ? Object.fromEntries(Object.entries(o).filter(([k]) => !b.omit.includes(k))) : UNKNOWN;
      break;
    }
    default:
      v = b.value;
  }
  mod.evaluating.delete(name);
  mod.values.set(name, v);
  return v;
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

function propName(name, mod) {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const v = evaluate(name.expression, mod);
    return typeof v === "string" ? v : undefined;
  }
  return undefined;
}

function evaluate(node, mod) {
  switch (node.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return node.text;
    case ts.SyntaxKind.NumericLiteral:
      return Number(node.text);
    case ts.SyntaxKind.TrueKeyword:
      return true;
    case ts.SyntaxKind.FalseKeyword:
      return false;
    case ts.SyntaxKind.NullKeyword:
      return null;
    case ts.SyntaxKind.ParenthesizedExpression:
    case ts.SyntaxKind.AsExpression:
    case ts.SyntaxKind.SatisfiesExpression:
      return evaluate(node.expression, mod);
    case ts.SyntaxKind.TemplateExpression: {
      let s = node.head.text;
      for (const span of node.templateSpans) {
        const v = evaluate(span.expression, mod);
        if (typeof v !== "string" && typeof v !== "number") return UNKNOWN;
        s += String(v) + span.literal.text;
      }
      return s;
    }
    case ts.SyntaxKind.BinaryExpression: {
      if (node.operatorToken.kind !== ts.SyntaxKind.PlusToken) return UNKNOWN;
      const a = evaluate(node.left, mod);
      const b = evaluate(node.right, mod);
      return (typeof a === "string" || typeof a === "number") && (typeof b === "string" || typeof b === "number") ? a + b : UNKNOWN;
    }
    case ts.SyntaxKind.Identifier:
      return node.text === "undefined" ? undefined : lookup(mod, node.text);
    case ts.SyntaxKind.PropertyAccessExpression:
    case ts.SyntaxKind.ElementAccessExpression: {
      const o = evaluate(node.expression, mod);
      const key = ts.isPropertyAccessExpression(node) ? node.name.text : evaluate(node.argumentExpression, mod);
      if ((isObject(o) || Array.isArray(o)) && (typeof key === "string" || typeof key === "number")) return Object.hasOwn(o, key) ? o[key] : undefined;
      return UNKNOWN;
    }
    case ts.SyntaxKind.ObjectLiteralExpression: {
      const out = {};
      for (const p of node.properties) {
        if (ts.isSpreadAssignment(p)) {
          const v = evaluate(p.expression, mod);
          if (isObject(v)) Object.assign(out, v);
        } else if (ts.isPropertyAssignment(p)) {
          const k = propName(p.name, mod);
          if (k !== undefined) out[k] = evaluate(p.initializer, mod);
        } else if (ts.isShorthandPropertyAssignment(p)) {
          out[p.name.text] = lookup(mod, p.name.text);
        } else if (ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) {
          const k = propName(p.name, mod);
          if (k !== undefined) out[k] = FUNCTION;
        }
      }
      return out;
    }
    case ts.SyntaxKind.ArrayLiteralExpression: {
      const out = [];
      for (const el of node.elements) {
        if (ts.isSpreadElement(el)) {
          const v = evaluate(el.expression, mod);
          if (Array.isArray(v)) out.push(...v);
        } else out.push(evaluate(el, mod));
      }
      return out;
    }
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return FUNCTION;
    case ts.SyntaxKind.CallExpression: {
      // `defineAction({...})` and shopify_developer_app's `adjustPropDefinitions(props, app)`
      // return (an adjusted copy of) their first argument; any other call is not resolved.
      const callee = ts.isIdentifier(node.expression) ? node.expression.text : ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : "";
      const [first, second] = node.arguments;
      if (!first) return UNKNOWN;
      if (/^define/i.test(callee)) return evaluate(first, mod);
      if (/^adjust/i.test(callee)) {
        // Re-points the props' app at the app given second.
        const props = evaluate(first, mod);
        const app = second ? evaluate(second, mod) : UNKNOWN;
        if (!isObject(props) || !isApp(app)) return props;
        return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, isApp(v) ? app : v]));
      }
      // aws' toSingleLineString(`…`): the text on one line.
      if (/singleline/i.test(callee)) {
        const v = evaluate(first, mod);
        return typeof v === "string" ? v.replace(/\s+/g, " ").trim() : UNKNOWN;
      }
      return UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

/* ---------------- from component objects to catalog entries ---------------- */

const text = (v) => (typeof v === "string" ? v : undefined);
const isApp = (v) => isObject(v) && v.type === "app" && typeof v.app === "string";

function toProp(name, raw) {
  if (isApp(raw)) return { name, type: "app", app: raw.app };
  if (!isObject(raw)) return { name, type: "string" };
  let def = raw;
  if (Array.isArray(raw.propDefinition)) {
    const [app, ref] = raw.propDefinition;
    const base = isApp(app) && isObject(app.propDefinitions) && typeof ref === "string" ? app.propDefinitions[ref] : undefined;
    def = { ...(isObject(base) ? base : {}), ...raw };
  }
  const prop = { name, type: text(def.type) ?? "string" };
  if (text(def.label)) prop.label = def.label;
  if (text(def.description)) prop.description = def.description;
  if (def.optional === true) prop.optional = true;
  if (def.hidden === true) prop.hidden = true;
  if (def.options === FUNCTION || def.useQuery === true) prop.remoteOptions = true;
  if (prop.type === "alert") delete prop.description;
  return prop;
}

function firstParagraph(readme) {
  const lines = readme.split("\n");
  let i = lines.findIndex((l) => /^#+\s*overview/i.test(l));
  i = i < 0 ? 0 : i + 1;
  while (i < lines.length && !lines[i].trim()) i++;
  const para = [];
  for (; i < lines.length && lines[i].trim() && !lines[i].startsWith("#"); i++) para.push(lines[i].trim());
  return para
    .join(" ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

function appName(pkg, slug) {
  const m = /^Pipedream (.+?) Components$/.exec(pkg.description ?? "");
  const raw = m ? m[1] : slug;
  return raw.replace(/_/g, " ").replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const apps = [];
const actions = [];
const skipped = [];
for (const [slug, root] of roots) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const readme = existsSync(join(root, "README.md")) ? readFileSync(join(root, "README.md"), "utf8") : "";
  apps.push({ slug, name: appName(pkg, slug), description: firstParagraph(readme), categories: [], package: `@pipedream/${slug}@${pkg.version}` });
  const dir = join(root, "actions");
  if (!existsSync(dir)) continue;
  for (const file of walk(dir).sort()) {
    let c;
    try {
      c = exportOf(file, "default");
    } catch (err) {
      skipped.push(`${file.slice(work.length)}: ${err.message}`);
      continue;
    }
    if (!isObject(c) || c.type !== "action") continue;
    if (typeof c.key !== "string" || typeof c.name !== "string" || !c.key.startsWith(`${slug}-`)) {
      skipped.push(`${file.slice(work.length)}: key/name not static`);
      continue;
    }
    const props = isObject(c.props) ? Object.entries(c.props).map(([name, raw]) => toProp(name, raw)) : [];
    const ann = isObject(c.annotations) ? c.annotations : {};
    actions.push({
      key: c.key,
      name: c.name,
      version: text(c.version) ?? "0.0.1",
      description: text(c.description) ?? "",
      annotations: { readOnlyHint: ann.readOnlyHint === true, destructiveHint: ann.destructiveHint === true },
      props,
    });
  }
}

actions.sort((a, b) => (a.key < b.key ? -1 : 1));
const seen = new Set();
for (const a of actions) {
  if (seen.has(a.key)) throw new Error(`duplicate action key ${a.key}`);
  seen.add(a.key);
}
mkdirSync(dirname(OUT), { recursive: true });
const catalog = {
  source: "Pipedream's published @pipedream/<app> component packages on the npm registry, read statically by bench/build-search-catalog.mjs",
  apps,
  actions,
};
writeFileSync(OUT, `${JSON.stringify(catalog, null, 0).replace(/\},\{"key"/g, '},\n{"key"')}\n`);
console.log(`${actions.length} actions of ${apps.filter((a) => actions.some((x) => x.key.startsWith(`${a.slug}-`))).length} apps → ${OUT}`);
for (const s of skipped) console.log(`skipped ${s}`);
if (keepIdx < 0) rmSync(work, { recursive: true, force: true });
