using System.Text;

namespace FocusLab.Engine.Data.Text;

/// <summary>
/// A byte-level text corpus: token = byte value, vocabulary <see cref="VocabularySize"/> = 256, so
/// any UTF-8 text is representable and nothing needs a tokenizer.
/// <para>The token stream is the concatenation of the file (or the folder's files, in the order of
/// <see cref="CorpusFiles"/>), each file's bytes unchanged and nothing inserted between files.
/// Every file must be valid UTF-8. Split rule: the last floor(L × validationFraction) bytes of the
/// stream (L = total bytes) are the validation set, everything before them the training set.</para>
/// </summary>
public sealed class TextCorpus
{
    /// <summary>Tokens are bytes, so the vocabulary has 256 entries.</summary>
    public const int VocabularySize = 256;

    /// <summary>Where Debian's <c>fortunes</c> package installs its fortune files.</summary>
    public const string DefaultPath = "/usr/share/games/fortunes";

    /// <summary>The fix printed when the corpus is missing.</summary>
    public const string InstallHint =
        "install with `sudo apt-get install fortunes`, or pass --data PATH with a UTF-8 text file or folder";

    /// <summary>Default share of the stream (its end) held out for validation.</summary>
    public const double DefaultValidationFraction = 0.1;

    private TextCorpus(string source, IReadOnlyList<string> files, byte[] train, byte[] validation)
    {
        Source = source;
        Files = files;
        Train = train;
        Validation = validation;
    }

    /// <summary>The file or folder given.</summary>
    public string Source { get; }
    /// <summary>Files concatenated, in order.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>Training tokens (bytes).</summary>
    public byte[] Train { get; }
    /// <summary>Validation tokens: the end of the stream.</summary>
    public byte[] Validation { get; }
    /// <summary>L, the length of the whole stream: training plus validation bytes.</summary>
    public long TotalBytes => (long)Train.Length + Validation.Length;

    /// <summary>
    /// Loads a corpus from a UTF-8 file or a folder (default <see cref="DefaultPath"/>; for the default,
    /// the <c>off</c> subfolder of offensive fortunes is excluded).
    /// </summary>
    /// <exception cref="DataNotFoundException">Path missing or holds no files; message ends with <see cref="InstallHint"/>.</exception>
    /// <exception cref="DataFormatException">A file is not valid UTF-8 (message gives file and byte offset).</exception>
    public static TextCorpus Load(string? path = null, double validationFraction = DefaultValidationFraction)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction),
                $"Validation fraction must be in [0, 1); got {validationFraction}.");
        bool isDefault = path is null;
        string source = path ?? DefaultPath;
        string what = isDefault ? "Fortunes corpus" : "Text corpus";

        IReadOnlyList<string> files;
        if (File.Exists(source))
            files = [Path.GetFullPath(source)];
        else if (Directory.Exists(source))
            files = CorpusFiles.List(source, isDefault ? ["off"] : null);
        else
            throw new DataNotFoundException($"{what} not found: '{source}' does not exist; {InstallHint}.", source);
        if (files.Count == 0)
            throw new DataNotFoundException($"{what} not found: folder '{source}' contains no text files; {InstallHint}.", source);

        long total = 0;
        foreach (string f in files) total += new FileInfo(f).Length;
        if (total > Array.MaxLength)
            throw new DataFormatException(source, $"corpus is {total} bytes; at most {Array.MaxLength} are supported.");
        var stream = new byte[total];
        int offset = 0;
        foreach (string f in files)
        {
            byte[] bytes = File.ReadAllBytes(f);
            if (offset + bytes.Length > stream.Length)
                throw new DataFormatException(f, "file grew while the corpus was being read.");
            ValidateUtf8(bytes, f);
            bytes.CopyTo(stream, offset);
            offset += bytes.Length;
        }
        if (offset != stream.Length)
            throw new DataFormatException(source, "a file shrank while the corpus was being read.");
        if (stream.Length == 0)
            throw new DataNotFoundException($"{what} at '{source}' is empty; {InstallHint}.", source);

        return FromBytes(stream, validationFraction, source, files);
    }

    /// <summary>Builds a corpus from bytes already in memory, with the same split rule.</summary>
    public static TextCorpus FromBytes(ReadOnlySpan<byte> stream, double validationFraction = DefaultValidationFraction,
        string source = "(memory)", IReadOnlyList<string>? files = null)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction),
                $"Validation fraction must be in [0, 1); got {validationFraction}.");
        int validationLength = ValidationLength(stream.Length, validationFraction);
        int trainLength = stream.Length - validationLength;
        return new TextCorpus(source, files ?? [], stream[..trainLength].ToArray(), stream[trainLength..].ToArray());
    }

    /// <summary>The split rule: floor(totalBytes × fraction) bytes at the end are validation.</summary>
    public static int ValidationLength(int totalBytes, double validationFraction) =>
        (int)Math.Floor(totalBytes * validationFraction);

    /// <summary>Turns tokens back into text (invalid UTF-8, e.g. a window cut mid-character, becomes U+FFFD).</summary>
    public static string Decode(ReadOnlySpan<int> tokens)
    {
        var bytes = new byte[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {tokens[i]} at {i} is outside 0..255.");
            bytes[i] = (byte)tokens[i];
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static void ValidateUtf8(ReadOnlySpan<byte> bytes, string path)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return;
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
                break;
            offset += consumed;
        }
        throw new DataFormatException(path,
            $"not valid UTF-8 (first invalid byte 0x{bytes[offset]:X2} at offset {offset}); the text corpus accepts only UTF-8 text files.");
    }
}
