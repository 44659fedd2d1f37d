using System.Text;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Tests.Reports;

public sealed class NpyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-npy-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void HeaderFollowsNpyVersion1Layout()
    {
        var h = NpyFile.Header<float>([3, 20, 100]);
        Assert.Equal(0x93, h[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(h, 1, 5));
        Assert.Equal(1, h[6]); Assert.Equal(0, h[7]);
        Assert.Equal(0, h.Length % 64); // data starts 64-byte aligned
        int len = h[8] | h[9] << 8;
        Assert.Equal(h.Length - 10, len);
        string dict = Encoding.ASCII.GetString(h, 10, len);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 20, 100), }", dict);
        Assert.EndsWith("\n", dict);
        Assert.Contains("'shape': (7,)", Encoding.ASCII.GetString(NpyFile.Header<int>([7]))); // 1-tuples need the comma
    }

    [Fact]
    public void RoundTripsAndRefusesWrongShapeOrTruncation()
    {
        string p = Path.Combine(_dir, "a.npy");
        var data = Enumerable.Range(0, 24).Select(i => i * 0.5 - 3).ToArray();
        NpyFile.Write(p, data, 2, 3, 4);
        var (back, shape) = NpyFile.Read<double>(p);
        Assert.Equal(data, back);
        Assert.Equal([2L, 3, 4], shape);
        Assert.Throws<ArgumentException>(() => NpyFile.Write(p, data, 5, 5));
        File.WriteAllBytes(p, File.ReadAllBytes(p)[..^8]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NpyFile.Read<double>(p)).Message);
        Assert.Throws<InvalidDataException>(() => NpyFile.Read<float>(Path.Combine(_dir, "a.npy")));
    }
}
