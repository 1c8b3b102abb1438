import * as assert from 'assert/strict';
import { withoutFinalStop } from '../../engine/text/failures';

describe('withoutFinalStop: a server message that a sentence of ours follows', () => {
    it('drops the one full stop the server ended with, and trailing spaces after it', () => {
        assert.equal(withoutFinalStop('TF237082: ... link the file to the work item.'), 'TF237082: ... link the file to the work item');
        assert.equal(withoutFinalStop('Rate limits (https://go.microsoft.com/fwlink/?LinkId=823950). '), 'Rate limits (https://go.microsoft.com/fwlink/?LinkId=823950)');
    });

    it('keeps a message without one, an ellipsis, and other punctuation as the server wrote them', () => {
        assert.equal(withoutFinalStop('no stop here'), 'no stop here');
        assert.equal(withoutFinalStop('cut between words...'), 'cut between words...');
        assert.equal(withoutFinalStop('really?'), 'really?');
        assert.equal(withoutFinalStop('1.0'), '1.0');
    });
});
