import ArgoLua
import Testing

@Suite("The Lua allocator's small-block pool")
struct AllocatorTests {
    @Test("blocks that grow across size classes and past the pool keep their contents, and freed bytes are counted back")
    func growAndFree() throws {
        let state = try makeState(memory: 64 << 20, instructions: 50_000_000)
        state.collectGarbage()
        let baseline = state.memoryInUse
        let plugin = try loadPlugin(state, "grow", """
            return { run = function()
              local checks = 0
              for round = 1, 20 do
                -- 40 tables grow in lockstep, so their blocks sit side by side: from a few bytes to
                -- far past the pool (array and hash parts are reallocated at each doubling).
                local ts, hs = {}, {}
                for j = 1, 40 do ts[j] = {}; hs[j] = {} end
                for i = 1, 300 do
                  for j = 1, 40 do ts[j][i] = i * j + round; hs[j]["k" .. i] = i - j end
                end
                for j = 1, 40 do
                  for i = 1, 300 do
                    if ts[j][i] ~= i * j + round or hs[j]["k" .. i] ~= i - j then error("lost a value at " .. j .. ", " .. i) end
                  end
                end
                -- Strings of every length up to 1,100 bytes, built and compared.
                local parts = {}
                for n = 1, 1100, 7 do parts[#parts + 1] = string.rep(string.char(65 + n % 26), n) end
                for index, text in ipairs(parts) do
                  local n = 1 + (index - 1) * 7
                  if #text ~= n or text:byte(n) ~= 65 + n % 26 then error("bad string of " .. n) end
                end
                checks = checks + 1
              end
              return checks
            end }
            """)
        #expect(try state.call(plugin, "run") == [20])
        state.collectGarbage()
        #expect(state.memoryInUse < baseline + 200_000, "\(state.memoryInUse) bytes in use after a collection, \(baseline) before")
        #expect(state.peakMemory > baseline + 100_000)
    }
}
