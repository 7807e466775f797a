"""Lazy lab15_llm_serving submission: a block manager whose fork copies every block of the parent at once (no
sharing, no reference counts above 1, no copy-on-write). Plain allocation still works, so Part 2's first test passes;
the copy-on-write test must score 0."""

KIND = "lazy: fork by eager copy"
BASE = "reference"
FAIL = {"test_copy_on_write"}

CELLS = {
    "block_manager": r'''
class BlockManager:
    def __init__(self, num_blocks, block_size):
        self.block_size = block_size
        self.free_blocks = list(range(num_blocks - 1, -1, -1))
        self.refs = [0] * num_blocks
        self.tables, self.lengths = {}, {}

    def num_free(self):
        return len(self.free_blocks)

    def ref_count(self, block):
        return self.refs[block]

    def block_table(self, seq_id):
        return list(self.tables[seq_id])

    def length(self, seq_id):
        return self.lengths[seq_id]

    def _take(self):
        b = self.free_blocks.pop()
        self.refs[b] = 1
        return b

    def allocate(self, seq_id, n_tokens):
        if seq_id in self.tables:
            raise ValueError("exists")
        need = -(-n_tokens // self.block_size)
        if need > len(self.free_blocks):
            raise MemoryError("full")
        self.tables[seq_id] = [self._take() for _ in range(need)]
        self.lengths[seq_id] = n_tokens
        return list(self.tables[seq_id])

    def append_slot(self, seq_id):
        table, n = self.tables[seq_id], self.lengths[seq_id]
        if n % self.block_size == 0:
            if not self.free_blocks:
                raise MemoryError("full")
            table.append(self._take())
        self.lengths[seq_id] = n + 1
        return table[-1], n % self.block_size, None

    def fork(self, parent_id, child_id):
        need = len(self.tables[parent_id])
        if need > len(self.free_blocks):
            raise MemoryError("full")
        self.tables[child_id] = [self._take() for _ in range(need)]
        self.lengths[child_id] = self.lengths[parent_id]

    def free(self, seq_id):
        for b in self.tables.pop(seq_id):
            self.refs[b] = 0
            self.free_blocks.append(b)
        del self.lengths[seq_id]
''',
}
