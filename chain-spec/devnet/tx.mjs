// Transaction helpers the chain-spec tools share (governance.mjs, smoke.mjs).

/** Explains a DispatchError: `Pallet.Error` for module errors, else its kind. */
export function explain(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.type;
}

/**
 * Signs, submits and waits for finality; resolves to the block hash, the
 * events and the failure, if any: the transaction's own dispatch error, else
 * that of a call it ran through `sudo`.
 */
export function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isFinalized) {
        unsubscribe();
        const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event));
        const sudoError = sudid?.event.data.sudoResult.isErr ? sudid.event.data.sudoResult.asErr : null;
        resolve({
          blockHash: status.asFinalized.toHex(),
          events: events.map(({ event }) => event),
          error: dispatchError ? explain(api, dispatchError) : sudoError ? explain(api, sudoError) : null,
        });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        unsubscribe();
        reject(new Error(`transaction ${status.type}`));
      }
    })
      .then((u) => {
        unsubscribe = u;
      })
      .catch(reject);
  });
}
