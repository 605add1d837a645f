// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl.Rules;

/// <summary>Where a node of a rules document starts: 1-based line and column, as HCL reports them.</summary>
internal readonly record struct RulePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>
/// A value of a rules document, read from HCL or JSON alike: the two syntaxes of Consul's rule language decode
/// into the same tree, so the rules are validated once.
/// </summary>
internal abstract record RuleNode(RulePosition Position);

/// <summary>A quoted string, a heredoc, a number or a bool, kept as the text the author wrote.</summary>
internal sealed record RuleScalar(RulePosition Position, string Text, bool IsString) : RuleNode(Position);

/// <summary>A list (<c>[ ... ]</c>).</summary>
internal sealed record RuleList(RulePosition Position, IReadOnlyList<RuleNode> Items) : RuleNode(Position);

/// <summary>
/// An object. Keys may repeat (<c>service "a" {}</c> twice is two entries), and HCL's <c>service "web" { ... }</c>
/// is stored as the entry <c>service</c> holding an object with the entry <c>web</c>, as HCL 1 expands it.
/// </summary>
internal sealed record RuleObject(RulePosition Position, IReadOnlyList<RuleEntry> Entries) : RuleNode(Position);

/// <summary>One <c>key = value</c> or <c>key "label" { ... }</c> of an object.</summary>
internal sealed record RuleEntry(string Key, RulePosition KeyPosition, RuleNode Value);

/// <summary>A rules document that cannot be read, with the line and column where reading stopped.</summary>
internal sealed class RuleSyntaxException(RulePosition position, string message)
    : Exception($"At {position}: {message}")
{
    public RulePosition Position { get; } = position;
}
