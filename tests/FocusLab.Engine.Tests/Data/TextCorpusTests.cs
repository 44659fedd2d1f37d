using System.Text;
using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Text;

namespace FocusLab.Engine.Tests.Data;

public class TextCorpusTests
{
    [Fact]
    public void Single_file_is_split_with_the_last_fraction_as_validation()
    {
        using var dir = new TempFolder();
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i} é\n")));
        File.WriteAllBytes(dir.File("a.txt"), text);

        var corpus = TextCorpus.Load(dir.File("a.txt"), validationFraction: 0.1);

        int validation = (int)Math.Floor(text.Length * 0.1);
        Assert.Equal(text[^validation..], corpus.Validation);
        Assert.Equal(text[..^validation], corpus.Train);
        Assert.Equal(text.Length, corpus.TotalBytes);
        Assert.Equal([Path.GetFullPath(dir.File("a.txt"))], corpus.Files);
    }

    [Fact]
    public void Zero_validation_fraction_keeps_everything_for_training()
    {
        var corpus = TextCorpus.FromBytes("hello"u8, 0);
        Assert.Equal("hello"u8.ToArray(), corpus.Train);
        Assert.Empty(corpus.Validation);
        Assert.Throws<ArgumentOutOfRangeException>(() => TextCorpus.FromBytes("x"u8, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextCorpus.FromBytes("x"u8, double.NaN));
    }

    [Fact]
    public void Folder_is_read_recursively_in_ordinal_path_order_skipping_indexes_links_and_hidden_files()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("a"));
        Directory.CreateDirectory(dir.File(".git"));
        File.WriteAllText(dir.File("b.txt"), "B");
        File.WriteAllText(dir.File("a/z.txt"), "Z");
        File.WriteAllText(dir.File("A.txt"), "A");
        File.WriteAllText(dir.File(".hidden"), "H");
        File.WriteAllText(dir.File(".git/config"), "G");
        File.WriteAllText(dir.File("x"), "X");
        File.WriteAllBytes(dir.File("x.dat"), [0xFF, 0x00]); // strfile index of x: binary, skipped
        File.WriteAllText(dir.File("y.dat"), "Y");          // no "y" beside it: ordinary text, kept
        File.CreateSymbolicLink(dir.File("link.u8"), dir.File("A.txt")); // duplicate of A.txt
        Directory.CreateSymbolicLink(dir.File("linkdir"), dir.File("a")); // not followed

        var files = CorpusFiles.List(dir.Path);
        Assert.Equal(["A.txt", "a/z.txt", "b.txt", "x", "y.dat"],
            files.Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/')));

        var corpus = TextCorpus.Load(dir.Path, validationFraction: 0.2);
        Assert.Equal("AZBXY", Encoding.UTF8.GetString([.. corpus.Train, .. corpus.Validation]));
        Assert.Equal("Y", Encoding.UTF8.GetString(corpus.Validation));
    }

    [Fact]
    public void Invalid_utf8_names_the_file_and_offset()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("ok.txt"), "fine"u8.ToArray());
        File.WriteAllBytes(dir.File("bad.txt"), [(byte)'a', (byte)'b', 0xC3, (byte)'x']);
        var e = Assert.Throws<DataFormatException>(() => TextCorpus.Load(dir.Path));
        Assert.Contains("bad.txt", e.Message);
        Assert.Contains("not valid UTF-8 (first invalid byte 0xC3 at offset 2)", e.Message);
    }

    [Fact]
    public void Missing_path_and_empty_folder_give_the_install_hint()
    {
        string missing = Path.Combine(Path.GetTempPath(), "focuslab-no-such-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DataNotFoundException>(() => TextCorpus.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.EndsWith("install with `sudo apt-get install fortunes`, or pass --data PATH with a UTF-8 text file or folder.", e.Message);

        using var dir = new TempFolder();
        e = Assert.Throws<DataNotFoundException>(() => TextCorpus.Load(dir.Path));
        Assert.Contains("contains no text files", e.Message);
    }

    [Fact]
    public void Decode_turns_tokens_back_into_text()
    {
        int[] tokens = Encoding.UTF8.GetBytes("héllo").Select(b => (int)b).ToArray();
        Assert.Equal("héllo", TextCorpus.Decode(tokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextCorpus.Decode([256]));
    }
}
