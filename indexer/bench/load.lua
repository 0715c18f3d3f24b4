-- wrk load for the indexer benchmark: random queries over a synthetic index
-- (`bionft-indexer synth`: sample s owns records 9s+1 … 9s+9, 9s+9 being the
-- filtered VCF at the end of a depth-8 lineage).
-- Usage: wrk … -s load.lua <url> -- <lineage|access|receipt> <samples> <head block> <grantees> <receipts>

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  mode, samples, head, grantees, receipts =
    args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  math.randomseed(os.time() * 97 + (id or 0))
end

-- The account of synthetic researcher g: g as 8 little-endian bytes, then 24 × 0x0a.
local function researcher(g)
  local bytes = {}
  for i = 1, 8 do
    bytes[i] = string.format("%02x", g % 256)
    g = math.floor(g / 256)
  end
  return "0x" .. table.concat(bytes) .. string.rep("0a", 24)
end

request = function()
  local vcf = 9 * math.random(0, samples - 1) + 9
  if mode == "lineage" then
    return wrk.format("GET", "/records/" .. vcf .. "/lineage?depth=8")
  elseif mode == "access" then
    return wrk.format("GET", "/access?record=" .. vcf .. "&grantee=" .. researcher(math.random(0, grantees - 1))
      .. "&purpose=HMB&block=" .. math.random(1, head))
  else
    return wrk.format("GET", "/receipts/" .. math.random(1, receipts))
  end
end

response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
