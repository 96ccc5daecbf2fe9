// parse.cjs parses PowerShell scripts with the tree-sitter-powershell
// grammar (web-tree-sitter) and prints, per script, one JSON object: the
// syntax errors with their rows and columns, and every command called with
// the parameters it is given. The tests of package export run it:
//
//   NODE_PATH=DIR/node_modules node testdata/pwsh/parse.cjs restore.ps1
//
// where DIR holds web-tree-sitter and tree-sitter-powershell (.ci/run
// installs them with npm).
const fs = require('fs');
const { Parser, Language } = require('web-tree-sitter');

(async () => {
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  for (const file of process.argv.slice(2)) {
    const tree = parser.parse(fs.readFileSync(file, 'utf8'));
    const errors = [];
    const commands = [];
    const walk = (node) => {
      if (node.type === 'ERROR' || node.isMissing) {
        errors.push({ row: node.startPosition.row + 1, column: node.startPosition.column + 1, text: node.text.slice(0, 80) });
      }
      if (node.type === 'command') {
        const name = node.childForFieldName('command_name');
        const params = [];
        const elements = node.childForFieldName('command_elements');
        if (elements) {
          for (const e of elements.namedChildren) {
            if (e.type === 'command_parameter') params.push(e.text.replace(/^-/, '').replace(/:.*$/, ''));
          }
        }
        if (name) commands.push({ name: name.text, params, row: node.startPosition.row + 1 });
      }
      for (const c of node.children) walk(c);
    };
    walk(tree.rootNode);
    console.log(JSON.stringify({ file, errors, commands }));
  }
})().catch((e) => { console.error(e); process.exit(1); });
