"""Read a rules YAML file as plain text values, with the line of every key and value.

PyYAML's ``safe_load`` guesses types: ``00123`` becomes 83, ``NO`` becomes False, ``2024-01-01`` a date,
and a key written twice silently keeps the second value. Here every scalar stays a string (the schema in
``loader.py`` decides what a value means), every key and value remembers its 1-based line, duplicate keys
are refused, and a YAML syntax error becomes a ``Problem`` that says, in plain words, what to fix. Nothing a
file can hold makes it raise: an invisible special character (a vertical tab pasted from Word, a NUL...) is
named at its line, and thousands of nested levels are one problem, not a RecursionError.

    tree, problems = read_yaml(text, "payers/aetna.yaml")

``tree`` is a ``Map`` (a dict of ``Text`` keys), ``Seq`` or ``Text``, or ``None`` when the file could not
be read at all. Only ``yaml.SafeLoader`` is used, with its implicit type resolvers removed.
"""

from __future__ import annotations

import re

import yaml

from claimbook.model import Problem, Source


class Text(str):
    """A string value that remembers its line (1-based)."""

    line: int = 0

    def __new__(cls, value: str, line: int = 0) -> "Text":
        obj = super().__new__(cls, value)
        obj.line = line
        return obj


class Map(dict):
    """A mapping; ``line`` is where it starts, ``key_line(k)`` where key ``k`` is written."""

    line: int = 0

    def key_line(self, key: str) -> int:
        for k in self:
            if k == key:
                return getattr(k, "line", self.line)
        return self.line


class Seq(list):
    """A list; ``line`` is where it starts."""

    line: int = 0


# Messages for YAML syntax errors; loader.MESSAGES holds the rest (and includes these, for review).
SYNTAX_MESSAGES = {
    "yaml_tab_indent": "a tab is used for indenting. Indent with spaces only; YAML does not accept tabs. "
    "Replace the tab at the start of the line with spaces (two per level).",
    "yaml_tab": "there is a tab in the line. Separate a setting from its value with a space, not a tab. "
    "Replace the tab with a space.",
    "yaml_missing_colon": "'{text}' has no colon. Every setting is written 'name: value'. "
    "Add a colon and a space after the setting's name.",
    "yaml_colon_in_value": "the value has a colon followed by a space in it. A value may not contain ': ' "
    "unless it is in quotes. Put the whole value in double quotes.",
    "yaml_indent": "this line is not indented like the lines around it. Settings of one section are "
    "indented by the same number of spaces. Line it up with the other settings of its section.",
    "yaml_quote": "a quote is opened here and never closed. Every \" or ' that starts a value needs a matching "
    "one at its end. Add the closing quote, or remove the opening one.",
    "yaml_after_quote": "there is text after the closing quote. A quoted value ends at its closing quote. "
    "Put the whole value inside the quotes.",
    "yaml_bracket": "a bracket or brace is opened and never closed. Lists in [ ] and groups in {{ }} need their "
    "closing bracket. Add the closing bracket, or write the items one per line.",
    "yaml_special": "the value starts with a character YAML reserves ({char}). Values starting with & * ! | > % @ ` "
    "need quotes. Put the value in double quotes.",
    "yaml_other": "this line cannot be read ({detail}). Expected 'name: value' lines, indented with spaces. "
    "Compare it with the same kind of line in the built-in rules.",
    "duplicate_key": "'{key}' is written twice in the same place (first on line {first}). Each setting "
    "may appear once. Delete one of the two lines.",
    "not_utf8": "the file is not saved as UTF-8 text. Expected plain text. In Notepad use File > Save As and "
    "choose Encoding: UTF-8.",
    "bad_char": "this line has an invisible special character {where}: {char}. Rules files may hold only plain "
    "text (letters, digits, punctuation and spaces). Delete that character, or delete the line and type it again "
    "instead of pasting it.",
    "too_deep": "the settings are nested too deeply to be read. Expected a few levels of indenting at most, as in "
    "the built-in rules. Check the indenting, and that every [ or {{ has its closing ] or }}.",
    "cannot_read": "the file cannot be opened ({reason}). Expected a rules file claimbook may read. Close it in any "
    "program that has it open, check that you may read it, and run again.",
}

# Invisible characters YAML refuses, by name (others are described by their code, e.g. U+0001).
CHAR_NAMES = {
    "\x00": "a null character (U+0000)",
    "\x0b": "a vertical tab (U+000B), which Word uses for a manual line break",
    "\x0c": "a form feed (U+000C), which Word uses for a page break",
    "\x7f": "a delete character (U+007F)",
}
# The characters PyYAML's reader refuses (its Reader.NON_PRINTABLE), found here first so each can be named.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# Characters a pasted line may carry that Notepad does not show as such: YAML reads NEL and the Unicode line and
# paragraph separators as line breaks (the line numbers would then disagree with Notepad's), a no-break space
# as a letter, and the zero-width ones as part of a name. Notepad shows spaces (or nothing): read them so.
_LOOKALIKES = {0x85: " ", 0x2028: " ", 0x2029: " ", 0xA0: " ", 0x200B: None, 0x200C: None, 0x200D: None,
               0x2060: None, 0xFEFF: None}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LEADING_NON_PRINTABLE = re.compile(f"(?m)^([ \\t]*){_NON_PRINTABLE.pattern}+")

_STR_TAG = "tag:yaml.org,2002:str"


class _StringLoader(yaml.SafeLoader):
    """SafeLoader with no implicit typing: every scalar is a ``Text``; duplicate keys are recorded."""

    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream, file: str):
        super().__init__(stream)
        self.file = file
        self.problems: list[Problem] = []

    def construct_text(self, node: yaml.ScalarNode) -> Text:
        if not isinstance(node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, "a single value was expected", node.start_mark)
        return Text(node.value, node.start_mark.line + 1)

    def construct_seq(self, node: yaml.SequenceNode):
        seq = Seq()
        seq.line = node.start_mark.line + 1
        yield seq
        seq.extend(self.construct_object(child, deep=True) for child in node.value)

    def construct_map(self, node: yaml.MappingNode):
        result = Map()
        result.line = node.start_mark.line + 1
        yield result
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(_problem(self.file, key_node.start_mark.line + 1, "yaml_other",
                                              detail="a setting name must be plain text"))
                continue
            key = Text(key_node.value.strip(), key_node.start_mark.line + 1)
            value = self.construct_object(value_node, deep=True)
            if key in seen:
                self.problems.append(_problem(self.file, key.line, "duplicate_key", key=str(key), first=seen[key]))
                continue
            seen[key] = key.line
            result[key] = value


def _untagged(loader: _StringLoader, node):
    """Any tag (``!!int``, ``!!set``, ``!custom``...): build the value as if the tag were not there, by the
    shape written (a ``!!set {a, b}`` is a group, a ``!!str [a]`` a list), never by what the tag claims."""
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_text(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_seq(node)
    return loader.construct_map(node)


for _tag in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value", "merge",
             "seq", "set", "omap", "pairs", "map"):
    _StringLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _untagged)
_StringLoader.add_constructor(None, _untagged)


def _problem(file: str, line: int | None, kind: str, **kw) -> Problem:
    return Problem(Source(file=file, line=line), SYNTAX_MESSAGES[kind].format(**kw))


def read_yaml(text: str, file: str) -> tuple[object, list[Problem]]:
    """Parse ``text``; return (tree or None, problems). ``file`` is used in the problems only.

    Never raises for anything a file can hold: special characters, deep nesting and syntax errors all
    become problems. A line with a special character gets its own problem (every such line is listed); the
    rest of the file is still checked, with those characters read as spaces.
    """
    text = text.translate(_LOOKALIKES)
    problems, bad_lines = _special_characters(text, file)
    if problems is None:  # mostly NUL characters: a UTF-16 file, not a pasted character
        return None, [_problem(file, None, "not_utf8")]
    if bad_lines:  # check the rest as if each were a space (dropped at a line's start, to keep its indent)
        text = _LEADING_NON_PRINTABLE.sub(r"\1", text)
        text = _NON_PRINTABLE.sub(" ", text)
    try:
        loader = _StringLoader(text, file)
        try:
            tree = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        tree, found = None, [_syntax_problem(err, text, file)]
    except yaml.YAMLError as err:  # not expected once special characters are replaced; never let one escape
        tree, found = None, [_problem(file, None, "yaml_other", detail=str(err).splitlines()[0])]
    except RecursionError:  # thousands of nested [ [ [ or indented levels
        tree, found = None, [_problem(file, None, "too_deep")]
    else:
        found = loader.problems
    found = [p for p in found if p.source.line is None or p.source.line not in bad_lines]  # already explained
    return tree, sorted(problems + found, key=lambda p: p.source.line or 0)


def read_yaml_file(path, file: str) -> tuple[object, list[Problem]]:
    """Read ``path`` (UTF-8, with or without the BOM Notepad writes) and parse it."""
    try:
        data = path.read_bytes()
    except OSError as err:  # locked, no permission, a folder, gone since it was listed
        return None, [_problem(file, None, "cannot_read", reason=(err.strerror or type(err).__name__).lower())]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_problem(file, None, "not_utf8")]
    return read_yaml(text, file)


def _special_characters(text: str, file: str) -> tuple[list[Problem] | None, set[int]]:
    """One problem per line holding a character YAML refuses, and those lines; (None, ...) for a file that is
    mostly NUL characters (UTF-16 saved without its byte-order mark)."""
    problems: list[Problem] = []
    lines: set[int] = set()
    hits = list(_NON_PRINTABLE.finditer(text))
    if not hits:
        return problems, lines
    if text.count("\x00") * 4 > len(text):
        return None, lines
    for hit in hits:
        before = text[: hit.start()]
        line = len(_LINE_BREAK.findall(before)) + 1
        if line in lines:
            continue
        lines.add(line)
        start = max(before.rfind("\n"), before.rfind("\r")) + 1
        lead = _NON_PRINTABLE.sub(" ", before[start:]).strip()
        if len(lead) > 30:
            lead = "..." + lead[-27:].lstrip()
        where = f"after '{lead}'" if lead else "at its start"
        char = hit.group(0)
        name = CHAR_NAMES.get(char)
        if name is None:
            code = f"U+{ord(char):04X}"
            if 0xD800 <= ord(char) <= 0xDFFF:
                name = f"half of a character that was not copied whole ({code})"
            elif ord(char) in (0xFFFE, 0xFFFF):
                name = f"a character that is not a letter or sign ({code})"
            else:
                name = f"a control character ({code})"
        problems.append(_problem(file, line, "bad_char", char=name, where=where))
    return problems, lines


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """Turn PyYAML's error into the plainest explanation we can give, at the line to fix."""
    lines = text.splitlines()
    problem = err.problem or ""
    pline = err.problem_mark.line + 1 if err.problem_mark else None
    cline = err.context_mark.line + 1 if err.context_mark else None

    def line_text(n: int | None) -> str:
        return lines[n - 1] if n and 0 < n <= len(lines) else ""

    if "'\\t'" in problem:
        lead = re.match(r"[ \t]*", line_text(pline)).group(0)
        return _problem(file, pline, "yaml_tab_indent" if "\t" in lead else "yaml_tab")
    if "could not find expected ':'" in problem and cline:
        return _problem(file, cline, "yaml_missing_colon", text=_strip_comment(line_text(cline)).strip())
    if "quoted scalar" in (err.context or ""):
        return _problem(file, cline or pline, "yaml_quote")
    if "flow" in (err.context or "") or "flow" in problem:
        return _problem(file, cline or pline, "yaml_bracket")
    if problem == "mapping values are not allowed here" and pline:
        # Either the line above lacks its colon (YAML read both lines as one), or the value holds ': '.
        prev = pline - 1
        while prev > 0 and (not line_text(prev).strip() or line_text(prev).strip().startswith("#")):
            prev -= 1
        above = _strip_comment(line_text(prev)).strip()
        if prev > 0 and above and ":" not in above and not above.startswith("-"):
            return _problem(file, prev, "yaml_missing_colon", text=above)
        if _strip_comment(line_text(pline)).count(": ") + _strip_comment(line_text(pline)).rstrip().endswith(":") > 1:
            return _problem(file, pline, "yaml_colon_in_value")
        return _problem(file, pline, "yaml_indent")
    if "undefined alias" in problem:
        return _problem(file, pline, "yaml_special", char="*")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else "?"
        return _problem(file, pline, "yaml_special", char=char)
    if any(w in problem for w in ("<document start>", "<block end>", "did not find expected key")):
        before = line_text(pline)[: err.problem_mark.column].rstrip() if err.problem_mark else ""
        if "<scalar>" in problem and before.endswith(("'", '"')):
            return _problem(file, pline, "yaml_after_quote")
        return _problem(file, pline, "yaml_indent")
    detail = problem.replace("'", "") or "unreadable"
    return _problem(file, pline or cline, "yaml_other", detail=detail)


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a # after a space, outside quotes, roughly)."""
    m = re.search(r"(^|\s)#", line)
    return line[: m.start()] if m else line
