document.body.textContent = 'scalars';
