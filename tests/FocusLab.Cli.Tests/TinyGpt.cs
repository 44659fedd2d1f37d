namespace FocusLab.Cli.Tests;

/// <summary>A temporary folder with a small text corpus and the options of a GPT small enough for a step to take well under a millisecond.</summary>
internal sealed class TinyGpt : IDisposable
{
    public TinyGpt()
    {
        Folder = Directory.CreateTempSubdirectory("focuslab-cli-").FullName;
        Corpus = Path.Combine(Folder, "corpus.txt");
        File.WriteAllText(Corpus, string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i}: a quick brown fox {i % 11}.\n")));
    }

    public string Folder { get; }

    public string Corpus { get; }

    /// <summary>`train` arguments for the tiny GPT on the corpus (add --optimizer, --steps, --out …); an option of
    /// <paramref name="more"/> replaces the tiny model's own (an option given twice is a parse error).</summary>
    public string[] Train(params string[] more)
    {
        string[] tiny = ["--model", "gpt", "--data", Corpus, "--batch", "2", "--n-layer", "1", "--n-head", "2", "--n-embd", "8", "--block-size", "8", "--eval-batches", "1"];
        var kept = tiny.Chunk(2).Where(pair => !more.Contains(pair[0])).SelectMany(pair => pair);
        return ["train", .. kept, .. more];
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
