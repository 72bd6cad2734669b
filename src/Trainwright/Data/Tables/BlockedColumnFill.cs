using nietras.SeparatedValues;

namespace Trainwright.Data.Tables;

/// <summary>
/// Fills column builders from CSV rows on several threads: the parser's thread copies rows into a block, and when the
/// block is full the builders take its columns in parallel (<see cref="ColumnParallel"/>) while the parser fills a
/// second block. Each builder still sees its cells in file order, one block after the other, so the table is the one
/// the single-threaded loop builds.
/// </summary>
internal sealed class BlockedColumnFill
{
    private readonly ColumnBuilder[] builders;
    private readonly NaTokens na;
    private CellBlock filling, spare;
    private Task pending = Task.CompletedTask;

    public BlockedColumnFill(ColumnBuilder[] builders, NaTokens na)
    {
        this.builders = builders;
        this.na = na;
        // About 256 K cells a block (8,192 rows of up to 32 columns): a few MB, few enough hand-overs, and a wide
        // table's blocks stay as small.
        int blockRows = Math.Clamp((1 << 18) / Math.Max(1, builders.Length), 256, 8192);
        filling = new CellBlock(builders.Length, blockRows);
        spare = new CellBlock(builders.Length, blockRows);
    }

    /// <summary>Takes a row whose field count matches the builders.</summary>
    public void Add(SepReader.Row row)
    {
        filling.Add(row);
        if (filling.IsFull) Hand();
    }

    /// <summary>Fills the builders with the rows still in the block and waits until every row is in.</summary>
    public void Complete()
    {
        Hand();
        pending.GetAwaiter().GetResult();
    }

    /// <summary>Waits for the block being filled in without raising its errors (the read failed already).</summary>
    public void Abandon()
    {
        if (!pending.IsCompleted) ((IAsyncResult)pending).AsyncWaitHandle.WaitOne();
    }

    private void Hand()
    {
        // The previous block must be in before the next one starts, so every column keeps its order.
        pending.GetAwaiter().GetResult();
        if (filling.Rows == 0) return;
        var full = filling;
        filling = spare;
        filling.Clear();
        spare = full;
        pending = Task.Run(() => ColumnParallel.For(builders.Length, c => full.Feed(builders[c], na, c)));
    }
}
