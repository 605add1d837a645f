// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// A service's <c>Locality</c> (Consul's <c>structs.Locality</c>: <c>Region</c> and <c>Zone</c>, each omitted when
/// empty): kept as registered and returned in agent, catalog and health outputs.
/// </summary>
internal sealed record ServiceLocality(string Region, string Zone)
{
    private static readonly Dictionary<string, string> Fields = StrictObject.Fields(["Region"], ["Zone"]);

    /// <summary>The <c>Locality</c> field of <paramref name="o"/>, or null when absent or null.</summary>
    public static ServiceLocality? Read(StrictObject o)
    {
        if (o.Raw("Locality") is not { } element)
        {
            return null;
        }

        var l = StrictObject.Read(element, "Locality", Fields);
        return new ServiceLocality(l.GetString("Region"), l.GetString("Zone"));
    }

    /// <summary>Writes <paramref name="locality"/> as <paramref name="name"/>; when null, writes null or nothing (<c>omitempty</c>).</summary>
    public static void Write(Utf8JsonWriter w, string name, ServiceLocality? locality, bool omitWhenNull)
    {
        if (locality is null)
        {
            if (!omitWhenNull)
            {
                w.WriteNull(name);
            }

            return;
        }

        w.WriteStartObject(name);
        if (locality.Region.Length > 0)
        {
            w.WriteString(nameof(Region), locality.Region);
        }

        if (locality.Zone.Length > 0)
        {
            w.WriteString(nameof(Zone), locality.Zone);
        }

        w.WriteEndObject();
    }
}
