// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>Reads the URI entries of a certificate's Subject Alternative Name extension (RFC 5280 GeneralName [6]).</summary>
internal static class UriSubjectAlternativeNames
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>
    /// The URIs in <paramref name="certificate"/>'s SAN, in order; empty without the extension. A SAN that is not
    /// valid DER, or appears twice, throws <see cref="AsnContentException"/>/<see cref="InvalidOperationException"/>.
    /// </summary>
    public static List<string> Read(X509Certificate2 certificate)
    {
        var uris = new List<string>();
        var seen = false;
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            if (seen)
            {
                throw new InvalidOperationException("the certificate has two Subject Alternative Name extensions");
            }

            seen = true;
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.HasSameClassAndValue(UriTag))
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }

        return uris;
    }
}
