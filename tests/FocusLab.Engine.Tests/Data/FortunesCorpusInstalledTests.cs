using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Text;

namespace FocusLab.Engine.Tests.Data;

/// <summary>
/// The default corpus (Debian's fortunes). Never skipped: when installed, the file selection and
/// sizes are checked against a direct listing; otherwise the documented error message is.
/// </summary>
public class FortunesCorpusInstalledTests
{
    [Fact]
    public void Default_corpus_loads_the_fortune_texts_or_explains_how_to_install()
    {
        if (!Directory.Exists(TextCorpus.DefaultPath))
        {
            var e = Assert.Throws<DataNotFoundException>(() => TextCorpus.Load());
            Assert.Equal(
                $"Fortunes corpus not found: '{TextCorpus.DefaultPath}' does not exist; " +
                "install with `sudo apt-get install fortunes`, or pass --data PATH with a UTF-8 text file or folder.",
                e.Message);
            return;
        }

        // Direct listing: regular (non-link) files at the top level that are not strfile indexes.
        var expected = Directory.GetFiles(TextCorpus.DefaultPath)
            .Where(f => new FileInfo(f).LinkTarget is null && !f.EndsWith(".dat", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var corpus = TextCorpus.Load();
        Assert.Equal(expected, corpus.Files);
        Assert.DoesNotContain(corpus.Files, f => f.EndsWith(".u8") || f.EndsWith(".dat"));
        Assert.Equal(expected.Sum(f => new FileInfo(f).Length), corpus.TotalBytes);
        Assert.Equal((int)Math.Floor(corpus.TotalBytes * 0.1), corpus.Validation.Length);
        Assert.True(corpus.TotalBytes > 1_000_000, $"fortunes should be over 1 MB, got {corpus.TotalBytes}");
    }
}
