// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.RegularExpressions;

namespace ServiceDiscovery.Consul.Testing.Filtering;

/// <summary>
/// A subset of go-bexpr, Consul's <c>?filter=</c> language: <c>==</c>, <c>!=</c>, <c>in</c>, <c>not in</c>,
/// <c>contains</c>, <c>not contains</c>, <c>is empty</c>, <c>is not empty</c>, <c>matches</c>, <c>not matches</c>,
/// <c>and</c>, <c>or</c>, <c>not</c> and parentheses. A selector through a list of objects (<c>Checks.Status</c>)
/// matches when any element does.
/// </summary>
internal sealed class FilterExpression
{
    private readonly Node _root;

    private FilterExpression(Node root) => _root = root;

    /// <summary>Resolves a selector on an item: the values it yields (several for a list of objects), or null if the selector is not valid.</summary>
    public delegate IReadOnlyList<FilterValue>? Resolver<in T>(T item, IReadOnlyList<string> path);

    /// <summary>Parses <paramref name="text"/>, checking every selector against <paramref name="isValid"/>.</summary>
    public static FilterExpression Parse(string text, Func<IReadOnlyList<string>, bool> isValid)
    {
        var parser = new Parser(text, isValid);
        var root = parser.ParseOr();
        parser.ExpectEnd();
        return new FilterExpression(root);
    }

    /// <summary>Gets the expression used when no <c>filter</c> is given: it matches everything.</summary>
    public static FilterExpression All { get; } = new(new True());

    /// <summary>Gets an expression that matches nothing (the answer for a cluster peer the agent does not have).</summary>
    public static FilterExpression None { get; } = new(new Not(new True()));

    public bool Matches<T>(T item, Resolver<T> resolve) => _root.Evaluate(path => resolve(item, path) ?? []);

    private abstract class Node
    {
        public abstract bool Evaluate(Func<IReadOnlyList<string>, IReadOnlyList<FilterValue>> resolve);
    }

    private sealed class True : Node
    {
        public override bool Evaluate(Func<IReadOnlyList<string>, IReadOnlyList<FilterValue>> resolve) => true;
    }

    private sealed class And(Node left, Node right) : Node
    {
        public override bool Evaluate(Func<IReadOnlyList<string>, IReadOnlyList<FilterValue>> resolve) => left.Evaluate(resolve) && right.Evaluate(resolve);
    }

    private sealed class Or(Node left, Node right) : Node
    {
        public override bool Evaluate(Func<IReadOnlyList<string>, IReadOnlyList<FilterValue>> resolve) => left.Evaluate(resolve) || right.Evaluate(resolve);
    }

    private sealed class Not(Node inner) : Node
    {
        public override bool Evaluate(Func<IReadOnlyList<string>, IReadOnlyList<FilterValue>> resolve) => !inner.Evaluate(resolve);
    }

    private sealed class Match(IReadOnlyList<string> selector, string op, string? value, Regex? regex) : Node
    {
        public override bool Evaluate(Func<IReadOnlyList<string>, IReadOnlyList<FilterValue>> resolve)
        {
            var values = resolve(selector);
            return op switch
            {
                "==" => values.Any(v => v.Scalar == value),
                "!=" => !values.Any(v => v.Scalar == value),
                "in" or "contains" => values.Any(v => Contains(v, value!)),
                "not in" or "not contains" => !values.Any(v => Contains(v, value!)),
                "is empty" => values.All(IsEmpty),
                "is not empty" => !values.All(IsEmpty),
                "matches" => values.Any(v => v.Scalar is { } s && regex!.IsMatch(s)),
                "not matches" => !values.Any(v => v.Scalar is { } s && regex!.IsMatch(s)),
                _ => false,
            };
        }

        private static bool Contains(FilterValue v, string value) =>
            v.List?.Contains(value) == true || v.Map?.ContainsKey(value) == true
            || (v.Scalar is { } s && s.Contains(value, StringComparison.Ordinal));

        private static bool IsEmpty(FilterValue v) =>
            (v.List?.Count ?? 0) == 0 && (v.Map?.Count ?? 0) == 0 && string.IsNullOrEmpty(v.Scalar);
    }

    private sealed class Parser(string text, Func<IReadOnlyList<string>, bool> isValid)
    {
        private int _pos;

        public Node ParseOr()
        {
            var left = ParseAnd();
            while (TryKeyword("or"))
            {
                left = new Or(left, ParseAnd());
            }

            return left;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos < text.Length)
            {
                throw Error();
            }
        }

        private Node ParseAnd()
        {
            var left = ParseNot();
            while (TryKeyword("and"))
            {
                left = new And(left, ParseNot());
            }

            return left;
        }

        private Node ParseNot()
        {
            if (TryKeyword("not"))
            {
                return new Not(ParseNot());
            }

            SkipSpace();
            if (_pos < text.Length && text[_pos] == '(')
            {
                _pos++;
                var inner = ParseOr();
                SkipSpace();
                if (_pos >= text.Length || text[_pos] != ')')
                {
                    throw Error();
                }

                _pos++;
                return inner;
            }

            return ParseMatch();
        }

        private Match ParseMatch()
        {
            SkipSpace();
            var start = _pos;

            // "<value> in <selector>" starts with a value; anything else starts with a selector.
            if (TryQuoted(out var quoted) || TryValueBeforeIn(out quoted))
            {
                var negated = TryKeyword("not");
                if (!TryKeyword("in"))
                {
                    _pos = start;
                    throw Error();
                }

                return new Match(ReadSelector(), negated ? "not in" : "in", quoted, null);
            }

            var selector = ReadSelector();
            SkipSpace();
            if (TrySymbol("=="))
            {
                return new Match(selector, "==", ReadValue(), null);
            }

            if (TrySymbol("!="))
            {
                return new Match(selector, "!=", ReadValue(), null);
            }

            if (TryKeyword("is"))
            {
                var negated = TryKeyword("not");
                return TryKeyword("empty") ? new Match(selector, negated ? "is not empty" : "is empty", null, null) : throw Error();
            }

            var not = TryKeyword("not");
            if (TryKeyword("contains"))
            {
                return new Match(selector, not ? "not contains" : "contains", ReadValue(), null);
            }

            if (TryKeyword("matches"))
            {
                var pattern = ReadValue();
                try
                {
                    return new Match(selector, not ? "not matches" : "matches", pattern, new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
                }
                catch (ArgumentException ex)
                {
                    throw new FilterSyntaxException($"error parsing regexp: {ex.Message}", ex);
                }
            }

            throw Error();
        }

        private bool TryValueBeforeIn(out string value)
        {
            var start = _pos;
            value = ReadBareWord();
            if (value.Length > 0)
            {
                var save = _pos;
                var isIn = TryKeyword("in") || (TryKeyword("not") && TryKeyword("in"));
                _pos = save;
                if (isIn)
                {
                    return true;
                }
            }

            _pos = start;
            return false;
        }

        private List<string> ReadSelector()
        {
            SkipSpace();
            var parts = new List<string>();
            while (true)
            {
                var word = ReadIdentifier();
                if (word.Length == 0)
                {
                    throw Error();
                }

                parts.Add(word);
                while (_pos < text.Length && text[_pos] == '[')
                {
                    _pos++;
                    if (!TryQuoted(out var key) || _pos >= text.Length || text[_pos] != ']')
                    {
                        throw Error();
                    }

                    _pos++;
                    parts.Add(key);
                }

                if (_pos < text.Length && text[_pos] == '.')
                {
                    _pos++;
                    continue;
                }

                break;
            }

            if (!isValid(parts))
            {
                throw new FilterSyntaxException($"Selector \"{string.Join('.', parts)}\" is not valid");
            }

            return parts;
        }

        private string ReadValue()
        {
            SkipSpace();
            if (TryQuoted(out var quoted))
            {
                return quoted;
            }

            var word = ReadBareWord();
            return word.Length > 0 ? word : throw Error();
        }

        private string ReadIdentifier()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '_' or '-'))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        private string ReadBareWord()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && !char.IsWhiteSpace(text[_pos]) && text[_pos] is not ('(' or ')' or '"' or '`' or '=' or '!'))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        private bool TryQuoted(out string value)
        {
            SkipSpace();
            value = string.Empty;
            if (_pos >= text.Length || text[_pos] is not ('"' or '`'))
            {
                return false;
            }

            var quote = text[_pos++];
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (quote == '"' && text[_pos] == '\\' && _pos + 1 < text.Length)
                {
                    _pos++;
                }

                sb.Append(text[_pos++]);
            }

            if (_pos >= text.Length)
            {
                throw Error();
            }

            _pos++;
            value = sb.ToString();
            return true;
        }

        private bool TryKeyword(string keyword)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, keyword, 0, keyword.Length) == 0
                && (_pos + keyword.Length == text.Length || !char.IsAsciiLetterOrDigit(text[_pos + keyword.Length])))
            {
                _pos += keyword.Length;
                return true;
            }

            return false;
        }

        private bool TrySymbol(string symbol)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, symbol, 0, symbol.Length) == 0)
            {
                _pos += symbol.Length;
                return true;
            }

            return false;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        // go-bexpr's PEG errors read "1:<col> (<offset>): no match found, ...".
        private FilterSyntaxException Error() =>
            new($"1:{_pos + 1} ({_pos}): no match found, expected: \"!=\", \"==\", \"contains\", \"in\", \"is\", \"matches\", \"not\" or [ \\t\\r\\n]");
    }
}
