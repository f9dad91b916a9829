exports.up = (pgm) => { pgm.createTable('u', { id: 'id' }); };
