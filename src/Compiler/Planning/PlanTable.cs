using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// The per-step decisions of a plan, solved ahead of time per bucket of (batch, stored length) so that
    /// the runtime only looks them up. Rows are kept sorted by batch, then length.
    /// </summary>
    public sealed class PlanTable : IEquatable<PlanTable>
    {
        private readonly PlanRow[] _rows;

        public PlanTable(IEnumerable<PlanRow> rows)
        {
            _rows = (rows ?? throw new ArgumentNullException(nameof(rows))).OrderBy(r => r.Batch).ThenBy(r => r.FromLength).ToArray();
            if (_rows.Length == 0)
                throw new ArgumentException("A plan table needs at least one row.", nameof(rows));
            foreach (var row in _rows)
            {
                if (row.Batch < 1 || row.FromLength < 0 || row.ToLength < row.FromLength)
                    throw new ArgumentException($"Plan row {row} has no batch or an empty length range.", nameof(rows));
                if (!(row.RecomputeFraction >= 0 && row.RecomputeFraction <= 1))
                    throw new ArgumentException($"Plan row {row} has a recompute fraction outside [0, 1].", nameof(rows));
                if (!(row.HostFraction >= 0 && row.HostFraction <= 1))
                    throw new ArgumentException($"Plan row {row} has a host fraction outside [0, 1].", nameof(rows));
            }
            for (int i = 1; i < _rows.Length; i++)
                if (_rows[i].Batch == _rows[i - 1].Batch && _rows[i].FromLength <= _rows[i - 1].ToLength)
                    throw new ArgumentException($"Plan rows {_rows[i - 1]} and {_rows[i]} overlap.", nameof(rows));
        }

        public IReadOnlyList<PlanRow> Rows => _rows;

        /// <summary>Whether some step gives the CPU tokens to attend to, so the runtime needs its query and partial buffers.</summary>
        public bool UsesHostAttention => _rows.Any(r => r.HostFraction > 0);

        /// <summary>
        /// Whether some step transfers K and V or lets the CPU read them in place, so the host store must keep them; false
        /// when every step recomputes every stored token.
        /// </summary>
        public bool ReadsStoredKv => _rows.Any(r => r.RecomputeFraction < 1 || r.HostFraction > 0);

        /// <summary>
        /// The step plan for <paramref name="batch"/> sequences holding <paramref name="length"/> tokens: the
        /// rows of the smallest planned batch that covers it (the largest if none does), the bucket holding the
        /// length (the nearest bucket outside the table), the CPU's tokens and l within what they leave.
        /// </summary>
        public StepPlan Lookup(int batch, int length)
        {
            if (batch < 1)
                throw new ArgumentOutOfRangeException(nameof(batch), batch, "A step has at least one sequence.");
            if (length < 0)
                throw new ArgumentOutOfRangeException(nameof(length), length, "A stored length cannot be negative.");
            int plannedBatch = _rows.Select(r => r.Batch).Where(b => b >= batch).DefaultIfEmpty(_rows[_rows.Length - 1].Batch).Min();
            var rows = _rows.Where(r => r.Batch == plannedBatch).ToArray();
            var row = rows.FirstOrDefault(r => r.Contains(length)) ?? (length < rows[0].FromLength ? rows[0] : rows[rows.Length - 1]);

            return new StepPlan(batch, length, row.RecomputeTokensAt(length), row.TimesAt(length), row.HostTokensAt(length));
        }

        public bool Equals(PlanTable? other) => other is not null && _rows.SequenceEqual(other._rows);
        public override bool Equals(object? obj) => Equals(obj as PlanTable);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                foreach (var row in _rows)
                    hash = hash * 31 + row.GetHashCode();
                return hash;
            }
        }

        public override string ToString() => $"PlanTable({_rows.Length} rows)";
    }
}
