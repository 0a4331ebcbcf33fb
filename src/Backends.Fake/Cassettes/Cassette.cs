using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// Recorded runs, in the order they started: what <see cref="RecordingCommandRunner"/> writes and
/// <see cref="ReplayingCommandRunner"/> serves. On disk it is one indented JSON file, diff-friendly:
/// properties in a fixed order, bytes that are UTF-8 text as JSON strings and only other bytes as
/// <c>{"base64": "…"}</c>, a <c>version</c> field first.
/// </summary>
public sealed class Cassette
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Creates a cassette holding <paramref name="interactions"/>.</summary>
    public Cassette(IEnumerable<CassetteInteraction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        Interactions = [.. interactions];
        if (Interactions.Any(i => i is null))
            throw new ArgumentException("An interaction is null.", nameof(interactions));
    }

    /// <summary>The recorded runs, in the order they started.</summary>
    public IReadOnlyList<CassetteInteraction> Interactions { get; }

    /// <summary>The file of a test's cassette: <c>Cassettes/{test class file}/{test method}.json</c> beside the test's source file.</summary>
    /// <param name="suffix">Tells apart the cassettes of one test (a theory's cases); null for none.</param>
    /// <param name="sourceFile">The test's source file; the compiler fills it in.</param>
    /// <param name="test">The test method; the compiler fills it in.</param>
    /// <exception cref="ArgumentException">The suffix holds a character a file name cannot.</exception>
    public static string PathForTest(string? suffix = null, [CallerFilePath] string sourceFile = "", [CallerMemberName] string test = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceFile);
        ArgumentException.ThrowIfNullOrEmpty(test);
        if (suffix is not null && (suffix.Length == 0 || suffix.IndexOfAny([.. Path.GetInvalidFileNameChars()]) >= 0))
            throw new ArgumentException($"The suffix \"{suffix}\" must be a non-empty part of a file name.", nameof(suffix));
        var name = suffix is null ? test : $"{test}.{suffix}";
        return Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "Cassettes", Path.GetFileNameWithoutExtension(sourceFile), name + ".json");
    }

    /// <summary>Reads a cassette file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file: record it first.</exception>
    /// <exception cref="InvalidDataException">The file is not a cassette, or one of a version this library does not read.</exception>
    public static Cassette Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No cassette at {path}: record it first (CassetteMode.Record or RecordMissing).", path);
        CassetteFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), CassetteJson.Readable.CassetteFile);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a cassette: {e.Message}", e);
        }
        if (file is null || file.Interactions is null)
            throw new InvalidDataException($"{path} is not a cassette: it has no \"interactions\".");
        if (file.Version != CurrentVersion)
            throw new InvalidDataException($"{path} is a cassette of version {file.Version}; this library reads version {CurrentVersion}. Record it again.");
        return new Cassette(file.Interactions);
    }

    /// <summary>Writes the cassette to <paramref name="path"/>, creating its directory; the file is replaced whole or not at all.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, ToJson(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The file's text.</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(new CassetteFile(CurrentVersion, Interactions), CassetteJson.Readable.CassetteFile) + "\n";

    internal sealed record CassetteFile(int Version, IReadOnlyList<CassetteInteraction> Interactions);
}

/// <summary>Bytes as a JSON string when they are UTF-8 text, else as <c>{"base64": "…"}</c>.</summary>
internal sealed class CassetteBytesConverter : JsonConverter<ReadOnlyMemory<byte>>
{
    public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return Encoding.UTF8.GetBytes(reader.GetString()!);
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName
            || reader.GetString() != "base64" || !reader.Read() || reader.TokenType != JsonTokenType.String)
            throw new JsonException("Bytes are a string (UTF-8 text) or {\"base64\": \"…\"}.");
        var bytes = reader.GetBytesFromBase64();
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
            throw new JsonException("{\"base64\": \"…\"} has nothing else.");
        return bytes;
    }

    public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options)
    {
        if (System.Text.Unicode.Utf8.IsValid(value.Span))
        {
            writer.WriteStringValue(value.Span);
            return;
        }
        writer.WriteStartObject();
        writer.WriteBase64String("base64", value.Span);
        writer.WriteEndObject();
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(CassetteBytesConverter)])]
[JsonSerializable(typeof(Cassette.CassetteFile))]
internal sealed partial class CassetteJson : JsonSerializerContext
{
    /// <summary>
    /// Readable text: only what JSON itself must escape is escaped (quotes, backslashes, control
    /// characters), not every character beyond ASCII nor <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>: a cassette is
    /// never embedded in HTML, and tools print such characters all the time.
    /// </summary>
    internal static CassetteJson Readable => field ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
