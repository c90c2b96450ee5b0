import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_IMAGE_SIZE } from '@mri/data';
import { describe, expect, it } from 'vitest';
import { composeConfig, parseOverride } from '../src/config/index.js';
import { CONFIG_DIR } from '../src/paths.js';

const compose = (...overrides: string[]) => composeConfig({ configDir: CONFIG_DIR, overrides });

describe('composition', () => {
  it('trains at the one default image size the data package and the API use', () => {
    expect(compose().config.data.image_size).toBe(DEFAULT_IMAGE_SIZE);
  });

  it('fills each group from the file the defaults list names', () => {
    const { config, choices } = compose();
    expect(choices).toEqual({ data: 'brain_mri', model: 'compact', optimizer: 'adamw', training: 'default' });
    expect(config.model.architecture).toBe('compact');
    expect(config.optimizer.name).toBe('adamw');
    expect(config.data.root).toBe('sample/brain-mri');
    expect(config.training.augmentation.flip).toBe(true);
  });

  it('picks other options and sets keys, as in the issue example', () => {
    const { config, choices } = compose(
      'model=resnet18',
      'optimizer=sgd',
      'optimizer.lr=0.01',
      'training.epochs=3',
      'data.image_size=128',
    );
    expect(choices.model).toBe('resnet18');
    expect(config.model.architecture).toBe('resnet18');
    expect(config.optimizer).toMatchObject({ name: 'sgd', lr: 0.01, momentum: 0.9 });
    expect(config.training.epochs).toBe(3);
  });

  it('applies key overrides after group choices, whatever their order on the line', () => {
    const { config } = compose('optimizer.lr=0.02', 'optimizer=sgd');
    expect(config.optimizer).toMatchObject({ name: 'sgd', lr: 0.02 });
  });

  it('parses values as YAML scalars', () => {
    expect(parseOverride('a=1e-3').value).toBe(0.001);
    expect(parseOverride('a=true').value).toBe(true);
    expect(parseOverride('a=null').value).toBeNull();
    expect(parseOverride("a='42'").value).toBe('42');
    expect(parseOverride('a=[1, 2]').value).toEqual([1, 2]);
    expect(parseOverride('a=../shared/x').value).toBe('../shared/x');
  });

  it('adds optional keys with +, deletes with ~ and sets or adds with ++', () => {
    expect(compose('+training.max_steps=5').config.training.max_steps).toBe(5);
    expect(compose('++data.limit_per_class=7').config.data.limit_per_class).toBe(7);
    expect(compose('++training.epochs=2').config.training.epochs).toBe(2);
    expect(compose('+training.max_steps=5', '~training.max_steps').config.training.max_steps).toBeUndefined();
  });

  it('hashes equal configs equally and different ones differently', () => {
    expect(compose().hash).toBe(compose().hash);
    expect(compose('training.epochs=2').hash).not.toBe(compose().hash);
  });

  it('lets _self_ come first so that group files win over the primary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'a.yaml'), 'architecture: resnet18\n');
    writeFileSync(
      join(dir, 'config.yaml'),
      'defaults:\n  - _self_\n  - model: a\nmodel:\n  architecture: compact\n',
    );
    // The rest of the keys are missing, so validation fails; the message shows the merge order held.
    expect(() => composeConfig({ configDir: dir })).toThrow(/seed is missing/);
    expect(() => composeConfig({ configDir: dir })).not.toThrow(/architecture/);
  });
});

describe('errors name the key and what is allowed', () => {
  it('an unknown option of a group', () => {
    expect(() => compose('model=vgg')).toThrow(
      "Unknown option 'vgg' for config group 'model' (available: compact, resnet18, simple_cnn).",
    );
  });

  it('an unknown key set without +', () => {
    expect(() => compose('training.epoch=3')).toThrow(
      /Cannot override training.epoch: no such key in the config \(keys under training: epochs, batch_size.*\); to add one, write \+training.epoch=3/,
    );
  });

  it('sets an optional key the config leaves out, without +', () => {
    expect(compose('data.limit_per_class=30').config.data.limit_per_class).toBe(30);
  });

  it('an unknown key added with +', () => {
    expect(() => compose('+training.epoch=3')).toThrow(
      /Invalid config: unknown key training.epoch \(allowed under training: epochs, batch_size, lr_schedule/,
    );
  });

  it('a wrong type', () => {
    expect(() => compose('training.epochs=ten')).toThrow(
      "Invalid config: training.epochs must be a number, not 'ten'.",
    );
  });

  it('a value outside an enum', () => {
    expect(() => compose('optimizer.name=rmsprop')).toThrow(
      "Invalid config: optimizer.name must be one of adam, adamw, sgd, not 'rmsprop'.",
    );
  });

  it('a value out of range', () => {
    expect(() => compose('data.val_fraction=1.5')).toThrow(/data.val_fraction = 1.5 is out of range/);
  });

  it('adding a key that exists, and malformed overrides', () => {
    expect(() => compose('+training.epochs=3')).toThrow(/already in the config; write training.epochs=3/);
    expect(() => compose('training.epochs')).toThrow(/has no value: write training.epochs=VALUE/);
    expect(() => compose('=3')).toThrow(/Cannot read override '=3'/);
    expect(() => compose('~training.nothing')).toThrow(/Cannot delete training.nothing/);
  });
});
